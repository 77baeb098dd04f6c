// The seed results that `npm start` publishes: real, each with the command that made it, one regenerated here.
// Runs the built CLI (npm test builds it first; by hand: node src/cli/build.js).
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDocument } from '../../src/lib/result/validate';
import { readSeeds, seed, seedDocument } from '../../src/seed/start.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = new URL('../../src/cli/kleinscope.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kleinscope-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllGlobals());

/** A document without what differs between two runs of the same command: when and how fast it was made. */
function stable(json: string) {
  const { createdAt: _c, timings: _t, ...rest } = JSON.parse(json);
  return rest;
}

describe('seed results', () => {
  const links = readSeeds();

  test('every seed is a valid, real result that names the command that made it', () => {
    expect(links.length).toBeGreaterThanOrEqual(1);
    for (const link of links) {
      expect(link.commands[0]).toMatch(/^kleinscope (reproduce|analyze|profile) /);
      for (const file of link.files) {
        const v = validateDocument(JSON.parse(seedDocument(file)));
        expect(v.ok, file).toBe(true);
        if (!v.ok) continue;
        expect(v.value.source.kind).not.toBe('synthetic');
        expect(v.value.description).toContain('Made by `kleinscope ');
        expect(v.value.title).toBe(file === link.files.at(-1) ? link.title : v.value.title);
      }
    }
  });

  test('the photos seed is what its command makes today', { timeout: 600_000 }, () => {
    const link = links.find((l) => l.files[0]!.startsWith('photos'))!;
    const command = link.commands[0]!.replace(/ --out OUT$/, '')
      .split(' ')
      .slice(1);
    const out = join(dir, 'photos');
    const r = spawnSync(process.execPath, [cli, ...command, '--out', out, '--quiet'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const made = readFileSync(join(out, 'results/photos.json'), 'utf8');
    expect(stable(made)).toEqual(stable(seedDocument(link.files[0]!)));
  });

  test('seeding publishes each link once, its files as versions, and a restart publishes nothing', async () => {
    const gallery: Array<{ title: string; createdAt: string }> = [];
    const posts: string[] = [];
    let ids = 0;
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      const path = new URL(url).pathname;
      if (!init || init.method !== 'POST') {
        return new Response(JSON.stringify({ items: [...gallery].reverse(), nextCursor: null }), { status: 200 });
      }
      posts.push(path);
      const doc = JSON.parse(String(init.body));
      const versioned = /^\/api\/results\/(\w+)\/versions$/.exec(path);
      if (versioned) {
        expect((init.headers as Record<string, string>).authorization).toBe(`Bearer token-${versioned[1]}`);
        gallery.splice(gallery.length - 1, 1, { title: doc.title, createdAt: doc.createdAt });
        return new Response(JSON.stringify({ id: versioned[1], version: 2 }), { status: 201 });
      }
      const id = `r${++ids}`;
      gallery.push({ title: doc.title, createdAt: doc.createdAt });
      return new Response(JSON.stringify({ id, version: 1, token: `token-${id}` }), { status: 201 });
    });
    expect(await seed('http://127.0.0.1:1')).toBe(links.length);
    const files = links.reduce((n, l) => n + l.files.length, 0);
    expect(posts).toHaveLength(files);
    expect(posts.filter((p) => p === '/api/results')).toHaveLength(links.length);
    expect(await seed('http://127.0.0.1:1')).toBe(0);
    expect(posts).toHaveLength(files);
  });
});
