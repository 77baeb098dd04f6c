import { describe, expect, test } from 'vitest';
import { bottleneck, wasserstein } from '../../src/lib/tda/diagramDistance';
import { DEFAULT_CAPS } from '../../src/lib/tda/diagramComparison';
import { MAX_MAGNITUDE } from '../../src/lib/result/schema';
import { doc, errorOf, json, publish, request } from './support';

interface Distance {
  dim: number;
  bottleneck: number | null;
  wasserstein: number | null;
  wasserstein2: number | null;
  exact: boolean;
  errorBound: { bottleneck: number; wasserstein: number; wasserstein2: number };
  compared: { bottleneck: [number, number]; wasserstein: [number, number] };
}
interface Comparison {
  a: {
    id: string;
    version: number;
    withdrawn: boolean;
    mapper: { nodes: number; edges: number; components: number; cycles: number };
  };
  b: {
    id: string;
    version: number;
    withdrawn: boolean;
    mapper: { nodes: number; edges: number; components: number; cycles: number };
  };
  distances: Distance[];
}

function withDiagrams(diagrams: unknown, mapper?: unknown) {
  const d = doc();
  (d.persistence as { diagrams: unknown }).diagrams = diagrams;
  if (mapper) d.mapper = mapper;
  return d;
}

const node = (id: number) => ({
  id,
  size: 1,
  members: [0],
  meanFilter: [0, 0, 0, 1, 1, 1, 0, 0, 0],
  density: 1,
  lens: [0, 0],
});

describe('GET /api/compare', () => {
  test('distances per dimension and Mapper summaries side by side', async () => {
    const square = {
      lens: 'pca',
      resolution: 10,
      gain: 3,
      clustering: 'single-linkage',
      nodes: [node(0), node(1), node(2), node(3)],
      edges: [
        [0, 1, 1],
        [1, 2, 1],
        [2, 3, 1],
        [3, 0, 1],
      ],
    };
    const a = await publish(
      withDiagrams(
        [
          [[0, null]],
          [
            [0, 2],
            [1, 1.5],
          ],
        ],
        square,
      ),
    );
    const b = await publish(withDiagrams([[[0.5, null]], [[0, 1]]]));
    const res = await request(`/api/compare?a=${a.id}&b=${b.id}@1`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Comparison;
    expect(body.a).toMatchObject({ id: a.id, version: 1, mapper: { nodes: 4, edges: 4, components: 1, cycles: 1 } });
    expect(body.b).toMatchObject({ id: b.id, version: 1, mapper: { nodes: 1, edges: 0, components: 1, cycles: 0 } });
    const [h0, h1] = body.distances;
    expect(h0).toMatchObject({ dim: 0, bottleneck: 0.5, wasserstein: 0.5, exact: true });
    // [0,2] -> [0,1] costs 1; [1,1.5] -> diagonal costs 0.25.
    expect(h1).toMatchObject({ dim: 1, bottleneck: 1, wasserstein: 1.25, exact: true });
    expect(h1!.wasserstein2).toBeCloseTo(Math.sqrt(1 + 0.0625), 12);
  });

  test('a dimension only one side computed is not compared, and the notes say so', async () => {
    const toH2 = await publish(withDiagrams([[[0, null]], [[0, 1]], [[0.2, 0.3]]]));
    const toH1 = await publish(withDiagrams([[[0, null]], [[0, 1]]]));
    const res = await request(`/api/compare?a=${toH2.id}&b=${toH1.id}`);
    const body = (await res.json()) as Comparison & { notes: string[] };
    expect(body.distances.map((d) => d.dim)).toEqual([0, 1]);
    expect(body.notes).toContain('H2 was computed only for A; it is not compared');
  });

  test('a result against itself is at distance 0, and pinned comparisons are cacheable', async () => {
    const a = await publish();
    const res = await request(`/api/compare?a=${a.id}@1&b=${a.id}@1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    for (const d of ((await res.json()) as Comparison).distances) {
      expect([d.bottleneck, d.wasserstein, d.wasserstein2]).toEqual([0, 0, 0]);
    }
  });

  test('different numbers of essential classes give an infinite (null) distance', async () => {
    const a = await publish(withDiagrams([[[0, null]], []]));
    const b = await publish(
      withDiagrams([
        [
          [0, null],
          [0, null],
        ],
        [],
      ]),
    );
    const body = (await (await request(`/api/compare?a=${a.id}&b=${b.id}`)).json()) as Comparison;
    expect(body.distances[0]).toMatchObject({ bottleneck: null, wasserstein: null, wasserstein2: null });
    expect(body.distances[1]).toMatchObject({ bottleneck: 0, wasserstein: 0 });
  });

  test('the latest version is used unless one is named', async () => {
    const a = await publish(withDiagrams([[[0, null]], [[0, 1]]]));
    const v2 = await request(
      `/api/results/${a.id}/versions`,
      json(withDiagrams([[[0, null]], [[0, 3]]]), { authorization: `Bearer ${a.token}` }),
    );
    expect(v2.status).toBe(201);
    const latest = (await (await request(`/api/compare?a=${a.id}&b=${a.id}@1`)).json()) as Comparison;
    expect(latest.a.version).toBe(2);
    expect(latest.distances[1]!.bottleneck).toBe(1.5);
  });

  test('large diagrams are compared on their most persistent points with an error bound', async () => {
    const bars: Array<[number, number]> = Array.from({ length: 400 }, (_, i) => [i / 1000, i / 1000 + 0.01 + i / 4000]);
    const a = await publish(withDiagrams([[[0, null]], bars]));
    const b = await publish(withDiagrams([[[0, null]], bars.slice(0, 390)]));
    const body = (await (await request(`/api/compare?a=${a.id}&b=${b.id}`)).json()) as Comparison;
    const h1 = body.distances[1]!;
    expect(h1.exact).toBe(false);
    expect(h1.errorBound.bottleneck).toBe(0);
    expect(h1.errorBound.wasserstein).toBeGreaterThan(0);
    // Bottleneck stays exact at this size: the engine's own answer on the full diagrams.
    expect(h1.bottleneck).toBe(bottleneck(bars, bars.slice(0, 390)));
    expect(h1.bottleneck).toBeGreaterThan(0);
    // The full W1 lies within the bound of the truncated one (checked against the engine on all points).
    expect(Math.abs(h1.wasserstein! - wasserstein(bars, bars.slice(0, 390), 1))).toBeLessThanOrEqual(
      h1.errorBound.wasserstein + 1e-12,
    );
  });

  test('a bound as large as its distance, and Rips against witness, are said in the notes', async () => {
    // Many short bars the cap leaves out and a small difference in the long ones: W1's bound exceeds W1.
    const noise: Array<[number, number]> = Array.from({ length: 3000 }, (_, i) => [i / 10_000, i / 10_000 + 0.01]);
    const a = await publish(withDiagrams([[[0, null]], [[0, 1], ...noise]]));
    const witness = withDiagrams([[[0, null]], [[0, 1.01], ...noise.slice(0, 10)]]);
    Object.assign(witness.persistence as object, { complex: 'witness', landmarks: 200 });
    const b = await publish(witness);
    const body = (await (await request(`/api/compare?a=${a.id}&b=${b.id}`)).json()) as Comparison & {
      notes: string[];
    };
    const h1 = body.distances[1]!;
    expect(h1.errorBound.wasserstein).toBeGreaterThan(h1.wasserstein!);
    expect(body.notes.some((n) => /^H1: the error bound is as large as the distance \(.*W1 /.test(n))).toBe(true);
    expect(body.notes.some((n) => /A is Vietoris-Rips .* B is a witness complex on 200 landmarks/.test(n))).toBe(true);
    // Neither caveat where it does not apply: exact distances between two Rips diagrams.
    const small = await publish(withDiagrams([[[0, null]], [[0, 1]]]));
    const same = (await (await request(`/api/compare?a=${small.id}&b=${small.id}`)).json()) as { notes: string[] };
    expect(same.notes).toEqual([]);
  });

  test('large diagrams in every dimension are compared with bounded work and an error bound', async () => {
    // 4 dimensions x 3,000 bars per side took 7-16 s of CPU per request before the caps. The largest documents
    // the schema allows (4 x 100,000 bars) are timed by `npm run bench -- compare`; here the work is what is
    // checked: no distance compares more points than its cap.
    const diagrams = (seed: number) =>
      Array.from({ length: 4 }, (_, dim) =>
        Array.from({ length: 3000 }, (_, i) => {
          const b = ((i * 7919 + seed * 104729 + dim) % 10_000) / 10_000;
          const len = ((i * 31 + seed) % 997) / 1000;
          return [b, Math.round((b + len) * 10_000) / 10_000];
        }),
      );
    const a = await publish(withDiagrams(diagrams(1)));
    const b = await publish(withDiagrams(diagrams(2)));
    const res = await request(`/api/compare?a=${a.id}&b=${b.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Comparison;
    expect(body.distances).toHaveLength(4);
    for (const d of body.distances) {
      expect(d.exact).toBe(false);
      expect(d.compared.bottleneck.every((n) => n <= DEFAULT_CAPS.bottleneck)).toBe(true);
      expect(d.compared.wasserstein.every((n) => n <= DEFAULT_CAPS.wasserstein)).toBe(true);
      for (const k of ['bottleneck', 'wasserstein', 'wasserstein2'] as const) {
        expect(d[k]).not.toBeNull();
        expect(d.errorBound[k]).toBeGreaterThan(0);
        expect(Number.isFinite(d.errorBound[k])).toBe(true);
      }
    }
  });

  test('coordinates are bounded: 1e200 is refused, and the extreme allowed values compare in finite time', async () => {
    const huge = await request('/api/results', json(withDiagrams([[[0, null]], [[0, 1e200]]])));
    expect(huge.status).toBe(422);
    expect((await errorOf(huge)).detail).toMatch(/^persistence\.diagrams\.1\.0\.1:/);
    const a = await publish(
      withDiagrams([
        [[-MAX_MAGNITUDE, null]],
        [
          [-MAX_MAGNITUDE, MAX_MAGNITUDE],
          [0, MAX_MAGNITUDE],
        ],
      ]),
    );
    const b = await publish(withDiagrams([[[0, null]], [[0, 1]]]));
    const body = (await (await request(`/api/compare?a=${a.id}&b=${b.id}`)).json()) as Comparison;
    expect(body.distances[0]).toMatchObject({ bottleneck: MAX_MAGNITUDE, wasserstein: MAX_MAGNITUDE, exact: true });
    // Both points of A go to the diagonal (cost 1e12 and 5e11), B's [0, 1] to the diagonal: 1.5e12 + 0.5.
    expect(Math.abs(body.distances[1]!.wasserstein! - (1.5e12 + 0.5))).toBeLessThan(1e-12 * 1.5e12);
    expect(body.distances[1]!.bottleneck).toBe(MAX_MAGNITUDE);
  });

  test('a withdrawn side says so', async () => {
    const a = await publish();
    const b = await publish();
    const del = await request(`/api/results/${a.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(del.status).toBe(200);
    const res = await request(`/api/compare?a=${a.id}@1&b=${b.id}@1`);
    const body = (await res.json()) as Comparison;
    expect(body.a.withdrawn).toBe(true);
    expect(body.b.withdrawn).toBe(false);
    // B may still be withdrawn later, so the answer is not cached for good.
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  test('bad references are 400, unknown ones 404', async () => {
    const a = await publish();
    for (const q of [
      `a=${a.id}`,
      `b=${a.id}`,
      `a=${a.id}@x&b=${a.id}`,
      `a=${a.id}@1@2&b=${a.id}`,
      `a=${a.id}@0&b=${a.id}`,
    ]) {
      const res = await request(`/api/compare?${q}`);
      expect(res.status, q).toBe(400);
      expect((await errorOf(res)).error).toBe('bad_request');
    }
    expect((await request(`/api/compare?a=${a.id}&b=aaaaaaaaaaaaaaaa`)).status).toBe(404);
    expect((await request(`/api/compare?a=${a.id}@7&b=${a.id}`)).status).toBe(404);
    expect((await request(`/api/compare?a=${a.id}&b=${a.id}`, { method: 'POST' })).status).toBe(405);
  });
});
