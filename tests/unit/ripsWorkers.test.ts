// The browser's persistence runner (src/lib/worker/ripsWorkers.ts) with its nested worker (rips.worker.ts), run
// here on Node's worker threads: the worker's bundle gets a `self` that speaks through the thread's port, as a Web
// Worker's does. Answers come back only through the shared-memory mailboxes, as in the browser, where the waiting
// worker cannot receive messages. tests/browser/persistenceWorkers.test.ts runs the same code in Chromium.
import { afterAll, describe, expect, test } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ripsPersistence, type RipsOptions } from '../../src/lib/tda/ripsCohomology';
import type { ParallelTuning } from '../../src/lib/tda/parallelRunner';
import type { Metric } from '../../src/lib/tda/metric';
import { startRipsWorkers, type NestedWorker, type RipsWorkers } from '../../src/lib/worker/ripsWorkers';
import { random, TINY } from './ph-support';

const dir = mkdtempSync(join(tmpdir(), 'rips-workers-'));
const script = join(dir, 'rips.worker.mjs');
const bundle = await build({
  entryPoints: [new URL('../../src/lib/worker/rips.worker.ts', import.meta.url).pathname],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'error',
  banner: {
    js: `import { parentPort as port } from 'node:worker_threads';
globalThis.self = {
  postMessage: (m) => port.postMessage(m),
  set onmessage(f) { port.on('message', (data) => f({ data })); },
};`,
  },
});
writeFileSync(script, bundle.outputFiles[0].text);

/** A worker thread dressed as a Web Worker. */
function nested(file = script): NestedWorker {
  const thread = new Worker(file);
  const worker: NestedWorker = {
    onmessage: null,
    onerror: null,
    postMessage: (m) => thread.postMessage(m),
    terminate: () => void thread.terminate(),
  };
  thread.on('message', (data: unknown) => worker.onmessage?.({ data } as MessageEvent));
  thread.on('error', (e: Error) => worker.onerror?.({ message: e.message, preventDefault() {} } as ErrorEvent));
  return worker;
}

const runners: RipsWorkers[] = [];
afterAll(() => {
  runners.forEach((r) => r.close());
  rmSync(dir, { recursive: true, force: true });
});

async function start(workers: number, tuning?: Partial<ParallelTuning>): Promise<RipsWorkers> {
  const runner = await startRipsWorkers(workers, () => nested(), { tuning });
  runners.push(runner);
  return runner;
}

function cloud(n: number, dim: number, seed: number): Metric {
  const r = random(seed);
  const coords = new Float64Array(n * dim);
  // A grid of eighths: many equal distances, so that ties and apparent pairs come up.
  for (let t = 0; t < coords.length; t++) coords[t] = Math.round((r() * 2 - 1) * 8) / 8;
  return { kind: 'points', n, dim, coords };
}

describe('ripsWorkers on threads', () => {
  const cases: Array<[string, Metric, RipsOptions]> = [
    ['grid cloud 48 in R^3, H2, Z/2', cloud(48, 3, 1), { maxDim: 2 }],
    ['grid cloud 57 in R^4, H2, Z/3, t=1', cloud(57, 4, 2), { maxDim: 2, modulus: 3, threshold: 1 }],
    ['grid cloud 40 in R^2, H1 with cocycles', cloud(40, 2, 3), { maxDim: 1, cocycles: true }],
  ];

  test.each(cases)('%s: the serial barcodes, every phase on two nested workers', async (_name, metric, options) => {
    const runner = await start(2, TINY);
    const serial = ripsPersistence(metric, options);
    // (On inputs this small the calling thread may take every chunk before a worker sees the message, so whether
    // the workers answered is checked on the larger input below.)
    const parallel = ripsPersistence(metric, { ...options, runner });
    expect(parallel.diagrams).toEqual(serial.diagrams);
    expect(parallel.threshold).toBe(serial.threshold);
    expect(parallel.cocycles).toEqual(serial.cocycles);
  });

  test('default tuning on a cloud large enough for every parallel phase, twice on the same workers', async () => {
    const runner = await start(1);
    const metric = cloud(800, 3, 4);
    const serial = ripsPersistence(metric, { maxDim: 1 });
    for (let round = 0; round < 2; round++) {
      const before = runner.answers;
      expect(ripsPersistence(metric, { maxDim: 1, runner }).diagrams).toEqual(serial.diagrams);
      // The nested worker's answers came through its mailbox.
      expect(runner.answers).toBeGreaterThan(before);
    }
    // Released, the worker holds no complex any more: a reduction before a new setup is refused.
    runner.release();
    runner.broadcast({ type: 'reduce' });
    expect(() => runner.collect(1)).toThrow(/before setup/);
  });

  test("a nested worker's error is thrown by collect, and late answers to an older broadcast are dropped", async () => {
    const runner = await start(1);
    // A message before setup is refused by the worker; that failure answers broadcast 1.
    runner.broadcast({ type: 'reduce' });
    expect(() => runner.collect(1)).toThrow(/before setup/);
    // Broadcast 2 (a setup with no graph) fails otherwise, and nobody collects it: its answer, arriving before
    // broadcast 3's, must be dropped, not returned for broadcast 3.
    runner.broadcast({ type: 'setup', graph: null, edges: null, maxDim: 1, modulus: 2 });
    runner.broadcast({ type: 'reduce' });
    let thrown: unknown;
    try {
      runner.collect(1);
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error).message).toMatch(/before setup/);
    expect(runner.answers).toBe(3);
  });

  test('a worker that cannot start makes the start fail, with every worker stopped', async () => {
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'throw new Error("no such worker");');
    const stopped: string[] = [];
    const spawn = () => {
      const w = nested(broken);
      const terminate = w.terminate;
      w.terminate = () => (stopped.push('x'), terminate());
      return w;
    };
    await expect(startRipsWorkers(2, spawn)).rejects.toThrow(/failed to start \(no such worker\)/);
    expect(stopped).toHaveLength(2);
    await expect(startRipsWorkers(1, () => nested(), { timeoutMs: 0 })).rejects.toThrow(/not ready/);
  });
});
