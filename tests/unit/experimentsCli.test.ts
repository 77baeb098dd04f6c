import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

// Bad input to contribute and pool: one line naming what is wrong, a non-zero exit, never a stack trace. The
// working paths run against a real server in tests/browser/contribute.test.ts.
const CLI = new URL('../../src/cli/kleinscope.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kleinscope-pool-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const ID = 'aaaaaaaaaaaaaaaa';
/** A port nothing listens on: connecting is refused at once. */
const DOWN = 'http://127.0.0.1:9';

describe('kleinscope contribute and pool: bad input', () => {
  test.each([
    [['contribute', ID], 2, '--server URL is required'],
    [['contribute', '--server', 'ftp://x', ID], 2, "--server: 'ftp://x' is not an http(s) URL"],
    [['contribute', '--server', DOWN], 2, 'give one experiment ID'],
    [['contribute', '--server', DOWN, 'NOT-AN-ID'], 2, "'NOT-AN-ID' is not an experiment id"],
    [['contribute', '--server', DOWN, ID, '--runs', '0'], 2, '--runs: 0 is below 1'],
    [['contribute', '--server', DOWN, ID, '--backend', 'webgpu'], 2, "--backend: 'webgpu' is not wasm or cpu"],
    [['contribute', '--server', DOWN, ID], 1, `experiment ${ID}: the server at ${DOWN} could not be reached`],
    [['pool', '--server', DOWN, ID], 2, '--out DIR is required'],
    [['pool', '--server', DOWN, ID, '--out', join(dir, 'p')], 1, `experiment ${ID}: the server at ${DOWN}`],
  ])('%j exits %i with one line', (args, code, message) => {
    const r = run(args);
    expect(r.status).toBe(code);
    const first = r.stderr.split('\n')[0]!;
    expect(first).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('pool refuses a folder that holds something other than a training', () => {
    const other = join(dir, 'other');
    rmSync(other, { recursive: true, force: true });
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'notes.txt'), 'mine');
    const r = run(['pool', '--server', DOWN, ID, '--out', other]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the folder is not empty and holds no training (manifest.json)');
  });
});
