// The analysis on a pool of threads (issue 20's cost, issue 27 items 3 and 4): the confidence resamples and the
// k-NN searches give the same answers on worker threads as in one thread, whatever the pool's size, and a cancel
// stops the threads.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analyzeFilters } from '../../src/lib/analysis/pipeline';
import { pooledCoreSearch, pooledKnn } from '../../src/lib/analysis/pooledSearch';
import type { TaskPool } from '../../src/lib/analysis/taskPool';
import type { Confidence, Source } from '../../src/lib/result/schema';
import { densityCoreSearch } from '../../src/lib/tda/codensity';
import { knn } from '../../src/lib/tda/knn';
import { seededRandom } from '../../src/lib/tda/random';
import { nodeTaskPool } from '../../src/cli/threadPool';
import type { ThreadTaskPool } from '../../src/lib/threads/taskPool';
import { trainedFirstLayer } from './realisticSamples';

let work: string;
let script: URL;
const pools: ThreadTaskPool[] = [];
const pool = (size: number) => {
  const p = nodeTaskPool(size, script);
  pools.push(p);
  return p;
};

beforeAll(async () => {
  // The thread runs plain JavaScript: bundle its entry as the CLI's build does.
  work = mkdtempSync(join(tmpdir(), 'kleinscope-pool-'));
  await build({
    entryPoints: ['src/cli/analysisThread.ts'],
    outfile: join(work, 'analysisThread.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    // Bundled whole, packages too: the file runs from a temporary folder where no node_modules resolves.
    logLevel: 'warning',
  });
  script = pathToFileURL(join(work, 'analysisThread.mjs'));
});

afterAll(() => {
  for (const p of pools) p.terminate();
  rmSync(work, { recursive: true, force: true });
});

/** n points on a noisy circle in R^8 with 20% of them uniform outliers. */
function cloud(n: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(n * 8);
  for (let i = 0; i < n; i++) {
    const a = 2 * Math.PI * random();
    for (let d = 0; d < 8; d++) out[i * 8 + d] = i % 5 ? 0.03 * (random() - 0.5) : random() - 0.5;
    if (i % 5) {
      out[i * 8] += Math.cos(a);
      out[i * 8 + 1] += Math.sin(a);
    }
  }
  return out;
}

const training: Source = { kind: 'training', dataset: 'pool-test', runs: 12, step: 800, layer: 1 };
const trainings = () => trainedFirstLayer({ runs: 12, perRun: 64, seed: 5 });
let inline: Confidence | undefined;

async function confidence(p: TaskPool | undefined, updates: Confidence[] = []) {
  const doc = await analyzeFilters(
    trainings(),
    training,
    { resamples: 6, seed: 7 },
    { ...(p ? { pool: p } : {}), onConfidence: (c) => updates.push(c) },
  );
  return doc.persistence.confidence;
}

describe('the confidence on a pool of threads', { timeout: 240_000 }, () => {
  test('is the same with no pool, one thread and two threads, and reports every resample in order', async () => {
    inline = await confidence(undefined);
    const updates: Confidence[] = [];
    const one = await confidence(pool(1));
    const two = await confidence(pool(2), updates);
    expect(inline?.resamples).toBe(6);
    expect(one).toEqual(inline);
    expect(two).toEqual(inline);
    expect(updates.map((c) => c.resamples)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(updates.at(-1)).toEqual(two);
  });

  test('a fresh subsample of a layer per resample is the same on two threads as in one', async () => {
    const random = seededRandom(9);
    const n = 3000;
    const layer = Float64Array.from({ length: n * 9 }, () => random() - 0.5);
    const taken = 2000;
    const { seededSample } = await import('../../src/lib/nn/convLayers');
    const pick = seededSample(n, taken, 1);
    const filters = new Float64Array(taken * 9);
    pick.forEach((row, r) => filters.set(layer.subarray(row * 9, row * 9 + 9), r * 9));
    const source: Source = { kind: 'model', dataset: 'pool-test', subsample: { of: n, taken, seed: 1 } };
    const run = async (p?: TaskPool) =>
      (await analyzeFilters(filters, source, { resamples: 4, seed: 2 }, { layer, ...(p ? { pool: p } : {}) }))
        .persistence.confidence;
    const alone = await run();
    expect(alone?.unit).toBe('subsample');
    expect(await run(pool(2))).toEqual(alone);
  });

  test('an abort stops the resamples and the threads', async () => {
    const p = pool(2);
    const controller = new AbortController();
    const run = analyzeFilters(
      trainings(),
      training,
      { resamples: 200, seed: 7 },
      { pool: p, signal: controller.signal, onConfidence: () => controller.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // The pool is usable again afterwards (fresh threads).
    expect(await confidence(p)).toEqual(inline);
  });
});

describe('the k-NN searches on a pool of threads', { timeout: 120_000 }, () => {
  test('the density core and its codensities are those of one thread', async () => {
    const n = 9000;
    const points = cloud(n, 3);
    const alone = densityCoreSearch(points, n, 8, 30, 30);
    const pooled = await pooledCoreSearch(points, n, 8, 30, 30, pool(2));
    expect(Array.from(pooled.core)).toEqual(Array.from(alone.core));
    expect(Array.from(pooled.rho)).toEqual(Array.from(alone.rho));
    expect(pooled.radius).toBe(alone.radius);
  });

  test('the k nearest neighbours are those of one thread', async () => {
    const n = 2500;
    const points = cloud(n, 4);
    const alone = knn(points, n, 8, 20);
    const pooled = await pooledKnn(points, n, 8, 20, pool(2));
    expect(Array.from(pooled.indices)).toEqual(Array.from(alone.indices));
    expect(Array.from(pooled.distances)).toEqual(Array.from(alone.distances));
  });

  test('a whole analysis is the same document on two threads (timings aside)', async () => {
    const random = seededRandom(12);
    const filters = Float64Array.from({ length: 5000 * 9 }, () => random() - 0.5);
    const source: Source = { kind: 'file', dataset: 'pool-test' };
    const strip = (d: Awaited<ReturnType<typeof analyzeFilters>>) => ({ ...d, timings: {}, createdAt: '' });
    const alone = await analyzeFilters(filters, source, { resamples: 2 });
    const pooled = await analyzeFilters(filters, source, { resamples: 2 }, { pool: pool(2) });
    expect(strip(pooled)).toEqual(strip(alone));
  });
});

describe("a subsample's density core, searched with the whole layer's bound", { timeout: 120_000 }, () => {
  test('is the core of the plain search, with fewer points searched', async () => {
    const { subsampleBound } = await import('../../src/lib/analysis/resampling');
    const { preprocess } = await import('../../src/lib/analysis/preprocess');
    const { seededSample } = await import('../../src/lib/nn/convLayers');
    const { kthNeighbourDistanceRows } = await import('../../src/lib/tda/knn');
    const { fromDct } = await import('../../src/lib/tda/dct');
    const n = 9000;
    const layer = fromDct(cloud(n, 21), n);
    const lower = await subsampleBound(layer, 6000, 30, 30, async (tree, radius) =>
      kthNeighbourDistanceRows(tree, 30, radius, 0, tree.n),
    );
    expect(lower).toBeDefined();
    for (const seed of [1, 2]) {
      const pick = seededSample(n, 6000, seed);
      const drawn = new Float64Array(pick.length * 9);
      pick.forEach((row, r) => drawn.set(layer.subarray(row * 9, row * 9 + 9), r * 9));
      const pre = preprocess(drawn, 0.01);
      const bound = Float64Array.from(pre.kept, (i) => lower![pick[i]]);
      const plain = densityCoreSearch(pre.coords, pre.nKept, 8, 30, 30);
      const bounded = densityCoreSearch(pre.coords, pre.nKept, 8, 30, 30, bound);
      expect(Array.from(bounded.core)).toEqual(Array.from(plain.core));
      expect(Array.from(bounded.rho)).toEqual(Array.from(plain.rho));
      // The bound is a bound: never above the subsample's own codensity where that is known.
      for (let i = 0; i < pre.nKept; i++)
        if (Number.isFinite(plain.rho[i])) expect(bound[i]).toBeLessThanOrEqual(plain.rho[i]);
      // And it spares searches: some points are known to lie outside the radius.
      expect(bound.filter((b) => b > plain.radius).length).toBeGreaterThan(pre.nKept / 10);
    }
  });
});
