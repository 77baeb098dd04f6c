import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { minimalDocument } from '../support/fixtures';
import { root, startPagesDev, type DevServer } from '../support/wrangler';

/**
 * The API over real HTTP, as `npm start` serves it: publish with the CLI, version, withdraw, then stop the
 * server, start a new one on the same R2 state and read everything back.
 */

let dir: string;
let state: string;
let server: DevServer | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kleinscope-e2e-'));
  state = join(dir, 'state');
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'src/cli/kleinscope.js'), ...args], { cwd: root }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function documentFile(name: string, title: string, dataset: string, h1: Array<[number, number]>): string {
  const doc = structuredClone(minimalDocument) as Record<string, unknown>;
  doc.title = title;
  doc.source = { kind: 'training', dataset, architecture: 'mnist-paper', layer: 1 };
  (doc.persistence as { diagrams: unknown }).diagrams = [[[0, null]], h1];
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

test('publish, version and withdraw survive a server restart', async () => {
  const dataset = `e2e-${Date.now()}`;
  server = await startPagesDev(state);
  const base = server.url;

  // Publish with the CLI, as a person would.
  const published = await cli([
    'publish',
    documentFile('a1.json', 'e2e one', dataset, [[0, 1]]),
    '--server',
    base,
    '--json',
  ]);
  expect(published.stderr).toBe('');
  expect(published.code).toBe(0);
  const a = JSON.parse(published.stdout) as { id: string; version: number; url: string; token: string };
  expect(a.version).toBe(1);
  expect(a.url).toBe(`${base}/r/${a.id}`);

  const human = await cli(['publish', documentFile('b1.json', 'e2e two', dataset, [[0, 2]]), '--server', base]);
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(/^published: http:\/\/127\.0\.0\.1:\d+\/r\/[a-z2-7]{16}$/m);
  const bId = human.stdout.match(/^id: ([a-z2-7]{16})/m)![1]!;
  const bToken = human.stdout.match(/^token: (\S+)$/m)![1]!;

  const v2 = await cli([
    'publish',
    documentFile('a2.json', 'e2e one, again', dataset, [[0, 3]]),
    '--server',
    base,
    '--version-of',
    a.id,
    '--token',
    a.token,
  ]);
  expect(v2.code).toBe(0);
  expect(v2.stdout).toContain(`published version 2 of ${a.id}`);

  // The wrong token is one clear line and a non-zero exit.
  const wrong = await cli(['publish', join(dir, 'a2.json'), '--server', base, '--version-of', a.id, '--token', bToken]);
  expect(wrong.code).not.toBe(0);
  expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
  expect(wrong.stderr).toContain('HTTP 403');

  // Over HTTP: versions cached for an hour while the result is live (a withdrawal must reach them), 304, statuses.
  const v1 = await fetch(`${base}/api/results/${a.id}/v/1`);
  expect(v1.status).toBe(200);
  expect(v1.headers.get('cache-control')).toBe('public, max-age=3600');
  const etag = v1.headers.get('etag')!;
  expect((await fetch(`${base}/api/results/${a.id}/v/1`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  expect((await fetch(`${base}/api/results/aaaaaaaaaaaaaaaa`)).status).toBe(404);
  expect(
    (await fetch(`${base}/api/results`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } }))
      .status,
  ).toBe(400);
  expect((await fetch(`${base}/api/results/${a.id}`, { method: 'DELETE' })).status).toBe(401);
  expect(
    (await fetch(`${base}/api/results/${bId}`, { method: 'DELETE', headers: { authorization: `Bearer ${bToken}` } }))
      .status,
  ).toBe(200);

  const before = {
    latest: await (await fetch(`${base}/api/results/${a.id}`)).text(),
    v1: await (await fetch(`${base}/api/results/${a.id}/v/1`)).text(),
    versions: await (await fetch(`${base}/api/results/${a.id}/versions`)).json(),
    gallery: await (await fetch(`${base}/api/gallery?dataset=${dataset}`)).json(),
    compare: await (await fetch(`${base}/api/compare?a=${a.id}@2&b=${a.id}@1`)).json(),
  };
  expect((before.gallery as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual([a.id]);
  expect((before.compare as { distances: Array<{ bottleneck: number }> }).distances[1]!.bottleneck).toBe(1.5);

  // Stop and start again on the same state: everything is still there.
  await server.stop();
  const down = await cli(['publish', join(dir, 'a1.json'), '--server', base]);
  expect(down.code).not.toBe(0);
  expect(down.stderr).toMatch(/^kleinscope publish: cannot reach http:\/\/127\.0\.0\.1:\d+: .+\n$/);

  server = await startPagesDev(state);
  const again = server.url;
  expect(await (await fetch(`${again}/api/results/${a.id}`)).text()).toBe(before.latest);
  expect(await (await fetch(`${again}/api/results/${a.id}/v/1`)).text()).toBe(before.v1);
  expect(await (await fetch(`${again}/api/results/${a.id}/versions`)).json()).toEqual(before.versions);
  expect(await (await fetch(`${again}/api/gallery?dataset=${dataset}`)).json()).toEqual(before.gallery);
  expect(await (await fetch(`${again}/api/compare?a=${a.id}@2&b=${a.id}@1`)).json()).toEqual(before.compare);
  const withdrawn = await fetch(`${again}/api/results/${bId}`);
  expect(withdrawn.status).toBe(200);
  expect(withdrawn.headers.get('x-kleinscope-withdrawn')).toBeTruthy();
  // The owner can still add versions after the restart; numbering continues.
  const v3 = await cli([
    'publish',
    join(dir, 'a1.json'),
    '--server',
    again,
    '--version-of',
    a.id,
    '--token',
    a.token,
    '--json',
  ]);
  expect(v3.code).toBe(0);
  expect(JSON.parse(v3.stdout)).toMatchObject({ id: a.id, version: 3 });
});

test('publish refuses bad files and bad options locally, in one line, before any network call', async () => {
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{\n  "schema": "kleinscope/analysis@1",\n  "title": oops\n}\n');
  const invalid = join(dir, 'invalid.json');
  writeFileSync(
    invalid,
    JSON.stringify({ ...minimalDocument, preprocessing: { ...minimalDocument.preprocessing, k: 0 } }),
  );
  // Port 9 (discard) is never a Kleinscope server: reaching the network would be a different error.
  const server = ['--server', 'http://127.0.0.1:9'];
  const cases: Array<[string[], RegExp, number]> = [
    [['publish', broken, ...server], /broken\.json:3: not valid JSON/, 1],
    [['publish', invalid, ...server], /invalid\.json: not a result document: field preprocessing\.k/, 1],
    [['publish', join(dir, 'missing.json'), ...server], /missing\.json: no such file/, 1],
    [['publish', invalid, '--version-of', 'aaaaaaaaaaaaaaaa', ...server], /needs the owner token/, 2],
    [['publish', invalid, '--version-of', 'nope', '--token', 't', ...server], /not a result id/, 2],
    [['publish', invalid, '--server', 'ftp://x'], /must be an http or https URL/, 2],
  ];
  for (const [args, message, code] of cases) {
    const r = await cli(args);
    expect(r.code, args.join(' ')).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }
});
