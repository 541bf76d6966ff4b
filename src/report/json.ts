// JSON report: the merged model itself, versioned (schema: docs/report-schema.json).
import type { Report } from './merge.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify({ format: 'spincheck-report', ...report }, null, 2)}\n`;
}
