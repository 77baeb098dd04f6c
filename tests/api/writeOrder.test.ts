import { describe, expect, test } from 'vitest';
import { D1GalleryIndex, type GalleryIndex } from '../../functions/storage/galleryIndex';
import { ResultStore, type Blobs } from '../../functions/storage/results';
import type { GalleryPage } from '../../src/lib/api/gallery';
import type { ResultDocument } from '../../src/lib/result/schema';
import { validateResult } from '../../src/lib/result/validate';
import { doc, json, publish, request, testEnv } from './support';

/**
 * The write order under failure: storage is wrapped so that one chosen call throws, as R2 or D1 would when a
 * request is killed or the service fails half-way. After each failure the result must be either invisible or
 * complete and owned, and a later read repairs whatever is stale.
 */
type Call = { op: 'get' | 'head' | 'put' | 'delete'; key: string };

function failingBlobs(fail: (call: Call) => boolean, log: Call[] = []): Blobs {
  const r2 = testEnv.RESULTS;
  const check = (call: Call) => {
    log.push(call);
    if (fail(call)) throw new Error(`injected failure: ${call.op} ${call.key}`);
  };
  return {
    get: async (key) => (check({ op: 'get', key }), r2.get(key)),
    head: async (key) => (check({ op: 'head', key }), r2.head(key)),
    put: async (key, value, options) => (check({ op: 'put', key }), r2.put(key, value, options)),
    delete: async (key) => (check({ op: 'delete', key }), r2.delete(key)),
  };
}

function failingIndex(fail: (op: keyof GalleryIndex) => boolean): GalleryIndex {
  const d1 = new D1GalleryIndex(testEnv.GALLERY);
  const check = (op: keyof GalleryIndex) => {
    if (fail(op)) throw new Error(`injected failure: index ${op}`);
  };
  return {
    put: async (row) => (check('put'), d1.put(row)),
    withdraw: async (id, at) => (check('withdraw'), d1.withdraw(id, at)),
    state: async (id) => (check('state'), d1.state(id)),
  };
}

const healthyIndex = () => new D1GalleryIndex(testEnv.GALLERY);
const tag = () => `w${crypto.randomUUID().replace(/-/g, '').slice(0, 10)}`;
function valid(title: string): ResultDocument {
  const v = validateResult(doc({ title }));
  if (!v.ok) throw new Error(v.message);
  return v.value;
}
const idOf = (log: Call[]) => log.find((c) => c.op === 'put')!.key.split('/')[1]!;
const gallery = async (t: string) => ((await (await request(`/api/gallery?q=${t}`)).json()) as GalleryPage).items;

describe('publish: a failure at any step leaves nothing visible, or a complete owned result', () => {
  for (const [step, failBlob, failIndex] of [
    ['the version', (c: Call) => c.op === 'put' && c.key.includes('/v/'), () => false],
    ['the metadata', (c: Call) => c.op === 'put' && c.key.endsWith('meta.json'), () => false],
    ['the index row', () => false, (op: string) => op === 'put'],
  ] as const) {
    test(`failing at ${step}: an error, nothing readable, no card, nothing left behind`, async () => {
      const t = tag();
      const log: Call[] = [];
      const store = new ResultStore(failingBlobs(failBlob, log), failingIndex(failIndex));
      await expect(store.create(valid(`doomed ${t}`))).rejects.toThrow();
      const id = idOf(log);
      expect((await request(`/api/results/${id}`)).status).toBe(404);
      expect((await request(`/api/results/${id}/versions`)).status).toBe(404);
      expect(await gallery(t)).toEqual([]);
      // Nobody holds a token for it, so nothing of it may stay readable later either.
      expect(await new ResultStore(testEnv.RESULTS, healthyIndex()).repair(id)).toBe(false);
      expect((await request(`/api/results/${id}`)).status).toBe(404);
    });
  }

  test('an index failure answers 503 with a clear error through the API', async () => {
    const broken = { ...testEnv, GALLERY: undefined as unknown as D1Database };
    const res = await request('/api/results', json(doc({ title: 'no index' })), broken);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('index_unavailable');
  });

  test('failing at the last step (the listed mark): published, owned and in the gallery', async () => {
    const t = tag();
    let metaPuts = 0;
    const store = new ResultStore(
      failingBlobs((c) => c.op === 'put' && c.key.endsWith('meta.json') && ++metaPuts === 2),
      healthyIndex(),
    );
    const { id, token } = await store.create(valid(`kept ${t}`));
    expect(JSON.parse(await (await testEnv.RESULTS.get(`results/${id}/meta.json`))!.text()).listed).toBe(false);
    expect((await request(`/api/results/${id}`)).status).toBe(200);
    expect((await gallery(t)).map((i) => i.id)).toEqual([id]);
    // The first read records the mark, so later reads need not ask the index.
    expect(JSON.parse(await (await testEnv.RESULTS.get(`results/${id}/meta.json`))!.text()).listed).toBe(true);
    // The owner's token works: the result can be withdrawn.
    const del = await request(`/api/results/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(del.status).toBe(200);
  });
});

describe('versions and withdrawals: a failed index write is repaired', () => {
  test('a version whose index write failed is listed at once, and its card catches up on the next list read', async () => {
    const t = tag();
    const { id, token } = await publish(doc({ title: `one ${t}` }));
    const store = new ResultStore(
      testEnv.RESULTS,
      failingIndex((op) => op === 'put'),
    );
    expect(await store.addVersion(id, token, valid(`two ${t}`))).toEqual({ id, version: 2 });
    expect((await gallery(t)).map((i) => [i.version, i.title])).toEqual([[1, `one ${t}`]]);
    const list = (await (await request(`/api/results/${id}/versions`)).json()) as { latest: number };
    expect(list.latest).toBe(2);
    expect((await gallery(t)).map((i) => [i.version, i.title])).toEqual([[2, `two ${t}`]]);
  });

  test('a withdrawal whose index write failed says so (503), and leaves the gallery on retry or the next read', async () => {
    for (const repairBy of ['retry', 'read'] as const) {
      const t = tag();
      const { id, token } = await publish(doc({ title: `gone ${t}` }));
      const store = new ResultStore(
        testEnv.RESULTS,
        failingIndex((op) => op === 'withdraw'),
      );
      await expect(store.withdraw(id, token)).rejects.toMatchObject({ status: 503 });
      expect(await (await request(`/api/results/${id}`)).headers.get('x-kleinscope-withdrawn')).toBeTruthy();
      expect(await gallery(t)).toHaveLength(1);
      if (repairBy === 'retry') {
        const again = await request(`/api/results/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(again.status).toBe(200);
      } else {
        expect((await request(`/api/results/${id}/versions`)).status).toBe(200);
      }
      expect(await gallery(t), repairBy).toEqual([]);
    }
  });

  test('a result stored before the index (no row, no listed mark) gets its row on the first list read', async () => {
    const t = tag();
    const id = 'abcdefghijklmn' + String.fromCharCode(97 + Math.floor(Math.random() * 26)) + 'q';
    const body = JSON.stringify(doc({ title: `legacy ${t}` }));
    const now = new Date().toISOString();
    await testEnv.RESULTS.put(`results/${id}/v/1.json`, body);
    await testEnv.RESULTS.put(
      `results/${id}/meta.json`,
      JSON.stringify({
        id,
        tokenHash: '0'.repeat(64),
        createdAt: now,
        updatedAt: now,
        latest: 1,
        withdrawnAt: null,
        galleryKey: `gallery/x-${id}`,
        versions: [{ version: 1, createdAt: now, dataset: 'd', bytes: body.length }],
      }),
    );
    expect(await gallery(t)).toEqual([]);
    expect((await request(`/api/results/${id}/versions`)).status).toBe(200);
    expect((await gallery(t)).map((i) => i.id)).toEqual([id]);
  });
});

describe('versions racing a withdrawal', () => {
  test('12 concurrent new versions and one withdrawal: the list is always 1..latest, every 201 is listed', async () => {
    let refused = 0;
    for (let round = 0; round < 4; round++) {
      const { id, token } = await publish(doc({ title: `race ${round}` }));
      const auth = { authorization: `Bearer ${token}` };
      const holes: string[] = [];
      let racing = true;
      // A reader polls the list throughout: no answer may show a gap.
      const reader = (async () => {
        while (racing) {
          const list = (await (await request(`/api/results/${id}/versions`)).json()) as {
            latest: number;
            versions: Array<{ version: number }>;
          };
          const nums = list.versions.map((v) => v.version);
          if (nums.some((n, i) => n !== i + 1) || nums.length !== list.latest) holes.push(nums.join(','));
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      const writes = Array.from({ length: 12 }, (_, i) =>
        request(`/api/results/${id}/versions`, json(doc({ title: `race ${round}.${i}` }), auth)),
      );
      const withdrawal = new Promise((r) => setTimeout(r, 5 + round * 10)).then(() =>
        request(`/api/results/${id}`, { method: 'DELETE', headers: auth }),
      );
      const answers = await Promise.all(writes);
      expect((await withdrawal).status).toBe(200);
      racing = false;
      await reader;
      expect(holes, `round ${round}`).toEqual([]);
      const list = (await (await request(`/api/results/${id}/versions`)).json()) as {
        latest: number;
        withdrawn: boolean;
        versions: Array<{ version: number }>;
      };
      expect(list.withdrawn).toBe(true);
      expect(list.versions.map((v) => v.version)).toEqual(Array.from({ length: list.latest }, (_, i) => i + 1));
      for (const res of answers) {
        expect([201, 410], `round ${round}`).toContain(res.status);
        if (res.status !== 201) {
          refused++;
          continue;
        }
        const { version } = (await res.json()) as { version: number };
        expect(version).toBeLessThanOrEqual(list.latest);
      }
      for (let n = 1; n <= list.latest; n++) expect((await request(`/api/results/${id}/v/${n}`)).status).toBe(200);
      // Nothing above the list stays stored: refused versions were removed.
      expect(await testEnv.RESULTS.head(`results/${id}/v/${list.latest + 1}.json`)).toBeNull();
    }
    // The withdrawal really landed among the writes, not after all of them.
    expect(refused).toBeGreaterThan(0);
  });
});
