import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { root, startPagesDev, type DevServer } from './wrangler';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

let server: DevServer | undefined;
let state: string | undefined;

/** Builds the app once and serves it for the browser tests on a throwaway R2 state. */
export async function setup(project: TestProject) {
  if (!process.env.KLEINSCOPE_SKIP_BUILD) {
    // From clean, as a fresh checkout builds: a file that only a second build gets right (the wasm binaries in
    // the service worker's precache list once were) shows up in the tests, not in a user's offline lab.
    for (const dir of ['build', 'static/tfjs-wasm']) rmSync(join(root, dir), { recursive: true, force: true });
    // vitest sets NODE_ENV=test, which would make this a development build (no service worker, dev-mode Svelte);
    // the tests must exercise what `npm start` serves.
    execFileSync(`${root}node_modules/.bin/vite`, ['build', '--logLevel', 'warn'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
  state = mkdtempSync(join(tmpdir(), 'kleinscope-state-'));
  server = await startPagesDev(state);
  project.provide('baseURL', server.url);
}

export async function teardown() {
  await server?.stop();
  if (state) rmSync(state, { recursive: true, force: true });
}
