import { defineConfig } from 'vitest/config';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { sveltekit } from '@sveltejs/kit/vite';
import { fileURLToPath } from 'node:url';

// The gallery index's schema, read here in Node and applied inside workerd by tests/api/setup.ts.
const migrations = await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url)));

// Three projects, run by `npm test`: plain Node unit tests, the API inside workerd with a local R2 and D1,
// and browser tests that drive Debian's Chromium against `wrangler pages dev`.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [sveltekit()],
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', testTimeout: 60_000 },
      },
      {
        plugins: [
          cloudflareTest({
            miniflare: {
              compatibilityDate: '2026-04-01',
              compatibilityFlags: ['nodejs_compat'],
              r2Buckets: ['RESULTS'],
              d1Databases: ['GALLERY'],
              bindings: { TEST_MIGRATIONS: migrations },
            },
          }),
        ],
        test: {
          name: 'api',
          include: ['tests/api/**/*.test.ts'],
          setupFiles: ['tests/api/setup.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/server.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // A page on a busy 2-core machine can take more than the default second to draw; a poll that passes
          // returns at once, so a longer limit only waits where something is slow or wrong.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        // `npm run screenshots` only: retakes the README's pictures.
        test: {
          name: 'screenshots',
          include: ['tests/screenshots/**/*.shots.ts'],
          environment: 'node',
          globalSetup: ['tests/support/server.ts'],
          testTimeout: 900_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
