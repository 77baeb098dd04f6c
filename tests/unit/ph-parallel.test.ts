// The parallel persistence (worker threads sharing the apparent pairs, the columns and the reduction) gives the
// serial barcodes exactly, in the same order, on random clouds, flat surfaces and a benchmark input.
import { afterAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import {
  ripsPersistence,
  ripsWorkerHandler,
  type PersistenceResult,
  type RipsOptions,
  type RipsWorkerMessage,
} from '../../src/lib/tda/ripsCohomology';
import type { ParallelRunner } from '../../src/lib/tda/parallelRunner';
import type { Metric } from '../../src/lib/tda/metric';
import { parseRipserInput } from '../../src/lib/tda/ripserFormats';
import { startRipsThreads, type RipsThreads } from '../../src/cli/ripsThreads';
import { EXAMPLES, random, TINY } from './ph-support';

/**
 * Workers simulated on this thread: each message is cloned as postMessage clones it (shared memory stays shared)
 * and handled at once, so these workers claim every chunk before the calling thread does. With `absent`, they
 * never answer (as workers still starting, or dead), and the calling thread takes every chunk over.
 */
function inlineRunner(workers: number, absent: boolean): ParallelRunner {
  const handlers = Array.from({ length: workers }, () => ripsWorkerHandler());
  let answers: unknown[] = [];
  return {
    workers,
    tuning: TINY,
    broadcast(m) {
      answers = [];
      if (absent) return;
      for (const h of handlers)
        h(structuredClone(m) as RipsWorkerMessage, (reply) => answers.push(structuredClone(reply)));
    },
    collect(count) {
      if (answers.length < count) throw new Error(`${count} answers awaited, ${answers.length} given`);
      return answers.slice(0, count);
    },
  };
}

function cloud(n: number, dim: number, seed: number): Metric {
  const r = random(seed);
  const coords = new Float64Array(n * dim);
  for (let t = 0; t < coords.length; t++) coords[t] = Math.round((r() * 2 - 1) * 8) / 8;
  return { kind: 'points', n, dim, coords };
}

function expectSame(a: PersistenceResult, b: PersistenceResult): void {
  expect(b.diagrams).toEqual(a.diagrams);
  expect(b.threshold).toBe(a.threshold);
  expect(b.cocycles).toEqual(a.cocycles);
}

const cases: Array<[string, Metric, RipsOptions]> = [];
for (let seed = 1; seed <= 6; seed++) {
  const n = 30 + 9 * seed;
  const dim = 2 + (seed % 3);
  // Coordinates on a grid of eighths: many equal distances, so ties and apparent pairs are exercised.
  cases.push([`grid cloud ${n} in R^${dim}, H2, Z/2`, cloud(n, dim, seed), { maxDim: 2 }]);
  cases.push([
    `grid cloud ${n} in R^${dim}, H2, Z/3, t=1`,
    cloud(n, dim, seed + 100),
    { maxDim: 2, modulus: 3, threshold: 1 },
  ]);
}
{
  const r = random(7);
  const coords = new Float64Array(60 * 3);
  for (let t = 0; t < coords.length; t++) coords[t] = r();
  cases.push([
    'uniform cloud 60 in R^3, H3, Z/5',
    { kind: 'points', n: 60, dim: 3, coords },
    { maxDim: 3, modulus: 5 },
  ]);
  cases.push(['same, H1 with cocycles', { kind: 'points', n: 60, dim: 3, coords }, { maxDim: 1, cocycles: true }]);
  // The other inputs' graphs: a distance matrix under a threshold (neighbour lists) and a sparse edge list.
  const n = 60;
  const dist = new Float64Array((n * (n - 1)) / 2);
  const i: number[] = [];
  const j: number[] = [];
  const d: number[] = [];
  let u = 0;
  for (let a = 1; a < n; a++)
    for (let b = 0; b < a; b++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += (coords[a * 3 + k] - coords[b * 3 + k]) ** 2;
      dist[u++] = Math.round(Math.sqrt(s) * 16) / 16;
      if (dist[u - 1] <= 0.5) {
        i.push(a);
        j.push(b);
        d.push(dist[u - 1]);
      }
    }
  cases.push(['distance matrix 60, H2, t=0.5', { kind: 'lower', n, dist }, { maxDim: 2, threshold: 0.5 }]);
  const sparse: Metric = {
    kind: 'sparse',
    n,
    i: Uint32Array.from(i),
    j: Uint32Array.from(j),
    dist: Float64Array.from(d),
  };
  cases.push(['sparse edge list 60, H2, Z/3', sparse, { maxDim: 2, modulus: 3 }]);
}

describe('parallel persistence equals serial persistence', () => {
  test.each(cases)('%s, workers doing every chunk, and none', (_name, metric, options) => {
    const serial = ripsPersistence(metric, options);
    expectSame(serial, ripsPersistence(metric, { ...options, runner: inlineRunner(2, false) }));
    expectSame(serial, ripsPersistence(metric, { ...options, runner: inlineRunner(1, true) }));
  });

  test('a worker that claims a chunk and dies: the calling thread does it once its heartbeat stays still', () => {
    // This worker claims the first chunk of every task, then neither works, beats nor answers.
    const runner: ParallelRunner = {
      workers: 1,
      tuning: { ...TINY, patience: 20 },
      broadcast: (m) => {
        const task = m as { counter?: Int32Array };
        if (task.counter) Atomics.add(task.counter, 0, 1);
      },
      collect: () => [],
    };
    const metric = cloud(45, 3, 4);
    expectSame(ripsPersistence(metric, { maxDim: 2 }), ripsPersistence(metric, { maxDim: 2, runner }));
  });

  test('below parallelEdges edges the workers are never asked (the CLI then never starts them)', () => {
    const metric = cloud(120, 3, 5);
    const runner: ParallelRunner = {
      workers: 1,
      broadcast: () => {
        throw new Error('a small input posted work');
      },
      collect: () => [],
    };
    expectSame(ripsPersistence(metric, { maxDim: 2 }), ripsPersistence(metric, { maxDim: 2, runner }));
  });

  test('a runner with no workers is the serial path', () => {
    const metric = cloud(50, 3, 9);
    const runner: ParallelRunner = {
      workers: 0,
      broadcast: () => {
        throw new Error('no broadcast without workers');
      },
      collect: () => [],
    };
    expectSame(ripsPersistence(metric, { maxDim: 2 }), ripsPersistence(metric, { maxDim: 2, runner }));
  });
});

// Real worker threads run the bundled worker, built afresh from these sources; the calling thread runs the sources.
const bundled = new URL('../../node_modules/.kleinscope/cli/ripsWorker.js', import.meta.url);
const built = spawnSync(process.execPath, [new URL('../../src/cli/build.js', import.meta.url).pathname], {
  encoding: 'utf8',
});
if (built.status !== 0 || !existsSync(bundled)) throw new Error(`the CLI build failed: ${built.stderr}`);

describe('on worker threads', () => {
  const pools: RipsThreads[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  test.each(cases.slice(0, 6))('%s, tiny batches', (_name, metric, options) => {
    const pool = startRipsThreads(2, { worker: bundled, tuning: TINY });
    pools.push(pool);
    expectSame(ripsPersistence(metric, options), ripsPersistence(metric, { ...options, runner: pool }));
  });

  // Here columns sent back to pending and pivots taken over from a column to the right both happen.
  test('o3_1024 H2 under threshold 1.8 (a benchmark input), default batches', () => {
    const text = readFileSync(EXAMPLES + 'o3_1024.txt', 'utf8');
    const metric = parseRipserInput(text, 'point-cloud');
    // Its 33,000 edges are below the default parallelEdges: lowered here, so that the threads do take part.
    const pool = startRipsThreads(1, { worker: bundled, tuning: { parallelEdges: 1 } });
    pools.push(pool);
    const options = { maxDim: 2, threshold: 1.8 };
    expectSame(ripsPersistence(metric, options), ripsPersistence(metric, { ...options, runner: pool }));
  });

  test('an aborted run leaves the threads fit for the next one', () => {
    const pool = startRipsThreads(1, { worker: bundled, tuning: TINY });
    pools.push(pool);
    const metric = cloud(70, 3, 11);
    const options = { maxDim: 2 };
    const abort = new AbortController();
    // Abort in the middle of the dimension-1 reduction, while the worker assembles dimension 2 ahead.
    const onProgress = (p: { phase: string; dim: number }) => {
      if (p.phase === 'reduce' && p.dim === 1) abort.abort();
    };
    expect(() => ripsPersistence(metric, { ...options, runner: pool, signal: abort.signal, onProgress })).toThrow(
      /abort/i,
    );
    expectSame(ripsPersistence(metric, options), ripsPersistence(metric, { ...options, runner: pool }));
  });

  test("a worker's error reaches the caller", () => {
    const pool = startRipsThreads(1, { worker: bundled });
    pools.push(pool);
    // A message before setup is refused by the worker.
    pool.broadcast({ type: 'reduce' });
    expect(() => pool.collect(1)).toThrow(/before setup/);
  });
});
