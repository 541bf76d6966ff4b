// Test configuration: C text assets (.scm queries, .h prelude) load as strings, as esbuild's text loader does.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      name: 'text-assets',
      enforce: 'pre',
      load(id: string) {
        if (id.endsWith('.scm') || id.endsWith('.h')) {
          return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
        }
        return null;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/wrapper/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
