// The lab's session repository on fake-indexeddb: what the timeline reads back (complete and unfinished steps),
// the analysis cache, the status a reload finds, and a session file's way out and back in. No Svelte involved.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openLabStore } from '../../src/lib/store/labStore';
import { SessionFileError } from '../../src/lib/store/errors';
import type { SessionConfig } from '../../src/lib/store/types';
import { customArchitecture, parameterSpecs, sizeOf } from '../../src/lib/nn/architectures';
import type { Checkpoint, Snapshot } from '../../src/lib/nn/training';
import { SESSION_EXTENSION, SessionRepository, sessionFileStem } from '../../src/lib/lab/sessionRepository';
import type { Subject } from '../../src/lib/lab/analyses.svelte';
import { circleResult } from '../support/circleResult';

const arch = customArchitecture({ conv: [4, 2], dense: [8] });
const config: SessionConfig = {
  arch,
  dataset: 'mnist',
  runs: 2,
  steps: 10,
  batchSize: 8,
  learningRate: 1e-3,
  snapshots: [0, 5, 10],
  seed: 3,
};

const filled = (n: number, v: number) => Float32Array.from({ length: n }, (_, i) => v + i / 1000);

const snapshot = (run: number, step: number): Snapshot => ({
  run,
  seed: 100 + run,
  step,
  loss: 1.5,
  accuracy: 0.25,
  kernels: [
    { layer: 1, shape: [3, 3, 1, 4], data: filled(36, run + step) },
    { layer: 2, shape: [3, 3, 4, 2], data: filled(72, -run - step) },
  ],
});

function checkpoint(run: number, step: number): Checkpoint {
  const arrays = (v: number) => parameterSpecs(arch).map((s) => filled(sizeOf(s.shape), v));
  return { run, seed: 100 + run, step, params: arrays(run), adamM: arrays(0.5), adamV: arrays(0.25) };
}

let dbCount = 0;
const fresh = () => new SessionRepository(() => openLabStore(`repository-${++dbCount}`));

const subject = (layer: number, step?: number): Subject => ({
  key: `${step}:${layer}`,
  label: 'test',
  layer,
  step,
  filters: new Float32Array(9),
  source: { kind: 'training', dataset: 'mnist' },
});

describe('SessionRepository', () => {
  it('gives the timeline the steps every run reached, and the steps only some did for a resume', async () => {
    const sessions = fresh();
    const s = await sessions.create(config, 'wasm');
    expect(s.backend).toBe('wasm');
    for (const run of [0, 1]) await sessions.putSnapshot(s.id, snapshot(run, 0));
    for (const run of [0, 1]) await sessions.putSnapshot(s.id, snapshot(run, 5));
    await sessions.putSnapshot(s.id, snapshot(1, 10));
    await sessions.putCheckpoint(s.id, checkpoint(1, 10));

    const complete = await sessions.completeSteps(s);
    expect(complete.map((c) => c.step)).toEqual([0, 5]);
    expect(complete[1].snapshots.map((x) => x.run)).toEqual([0, 1]);
    expect(complete[1].snapshots[1].kernels[0].data).toEqual(snapshot(1, 5).kernels[0].data);
    const unfinished = await sessions.unfinishedSteps(s);
    expect(unfinished.map((u) => [u.step, u.snapshots.map((x) => x.run)])).toEqual([[10, [1]]]);
    expect((await sessions.checkpoints(s.id)).map((c) => [c.run, c.step])).toEqual([[1, 10]]);
  });

  it('keeps analyses by layer, step and options, and never serves a document that fails the schema', async () => {
    const sessions = fresh();
    const s = await sessions.create(config, 'cpu');
    const cache = sessions.analysisCache(s.id);
    const doc = circleResult();
    await cache.put(subject(1, 5), '{"k":50}', doc);
    expect(await cache.get(subject(1, 5), '{"k":50}')).toEqual(doc);
    expect(await cache.get(subject(1, 5), '{"k":51}')).toBeUndefined();
    expect(await cache.get(subject(2, 5), '{"k":50}')).toBeUndefined();
    // A subject without a step (an imported model's layer) has no place in a session.
    expect(await cache.get(subject(1), '{"k":50}')).toBeUndefined();
    await cache.put(subject(1, 10), '{"k":50}', { ...doc, schema: 'something else' } as unknown as typeof doc);
    expect(await cache.get(subject(1, 10), '{"k":50}')).toBeUndefined();
  });

  it("lists sessions newest first and pauses one that a closed tab left 'training'", async () => {
    const sessions = fresh();
    const a = await sessions.create(config, 'cpu');
    // Sessions are ordered by their last change, to the millisecond.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = await sessions.create({ ...config, seed: 4 }, 'cpu');
    expect((await sessions.list()).map((x) => x.id)).toEqual([b.id, a.id]);
    const running = await sessions.setStatus(a.id, 'training');
    expect((await sessions.settle(running)).status).toBe('paused');
    expect((await sessions.get(a.id))?.status).toBe('paused');
    const complete = await sessions.setStatus(b.id, 'complete');
    expect(await sessions.settle(complete)).toEqual(complete);
    await sessions.delete(a.id);
    expect(await sessions.get(a.id)).toBeUndefined();
    expect((await sessions.list()).map((x) => x.id)).toEqual([b.id]);
  });

  it('exports a session as one file that another browser imports whole; a broken file changes nothing', async () => {
    const here = fresh();
    const s = await here.create({ ...config }, 'cpu');
    for (const run of [0, 1]) await here.putSnapshot(s.id, snapshot(run, 0));
    await here.putCheckpoint(s.id, checkpoint(0, 0));
    const file = await here.exportFile(s);
    expect(file.name).toBe(`${sessionFileStem(s)}${SESSION_EXTENSION}`);

    const there = fresh();
    await expect(there.importFile(file.bytes.slice(0, 20), 'cut.kleinscope-session')).rejects.toThrow(SessionFileError);
    expect(await there.list()).toEqual([]);
    const imported = await there.importFile(file.bytes, file.name);
    expect(imported.config).toEqual(s.config);
    expect((await there.completeSteps(imported)).map((c) => c.step)).toEqual([0]);
    expect((await there.checkpoints(imported.id)).map((c) => [c.run, c.step])).toEqual([[0, 0]]);
  });

  it('names a session file after the session, or its dataset, architecture and date, safe for any file system', () => {
    const base = { id: 'x', createdAt: '2026-12-07T10:00:00.000Z', updatedAt: '', status: 'complete' as const, config };
    expect(sessionFileStem({ ...base, name: 'my run: 30 x / final' })).toBe('my-run-30-x-final');
    expect(sessionFileStem({ ...base, name: '' })).toBe(`mnist-${arch.name}-2026-12-07`);
    expect(sessionFileStem({ ...base, name: '///' })).toBe('training');
  });
});
