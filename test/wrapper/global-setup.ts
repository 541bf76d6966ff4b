// vitest globalSetup for the wrapper tests: builds dist/bin once before any test file runs.
import { ensureBuilt } from './helpers.js';

export function setup(): void {
  ensureBuilt();
}
