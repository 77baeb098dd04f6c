import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openLabStore, type LabStore } from '../../src/lib/store/labStore';
import { StoreQuotaError, SessionFileError, StoreError } from '../../src/lib/store/errors';
import { encodeSession, decodeSession } from '../../src/lib/store/sessionFile';
import type { SessionConfig } from '../../src/lib/store/types';
import { customArchitecture, parameterSpecs, sizeOf } from '../../src/lib/nn/architectures';
import type { Checkpoint, Snapshot } from '../../src/lib/nn/training';

const arch = customArchitecture({ conv: [4, 2], dense: [8] });
const config: SessionConfig = {
  arch,
  dataset: 'mnist',
  runs: 2,
  steps: 10,
  batchSize: 8,
  learningRate: 1e-3,
  snapshots: [0, 10],
  seed: 3,
};

const filled = (n: number, v: number) => Float32Array.from({ length: n }, (_, i) => v + i / 1000);

function snapshot(run: number, step: number): Snapshot {
  return {
    run,
    seed: 100 + run,
    step,
    loss: step === 0 ? NaN : 1.5,
    accuracy: 0.25,
    kernels: [
      { layer: 1, shape: [3, 3, 1, 4], data: filled(36, run + step) },
      { layer: 2, shape: [3, 3, 4, 2], data: filled(72, -run - step) },
    ],
  };
}

function checkpoint(run: number, step: number): Checkpoint {
  const specs = parameterSpecs(arch);
  const arrays = (v: number) => specs.map((s) => filled(sizeOf(s.shape), v));
  return { run, seed: 100 + run, step, params: arrays(run), adamM: arrays(0.5), adamV: arrays(0.25) };
}

let store: LabStore | undefined;
let dbCount = 0;
async function fresh(): Promise<LabStore> {
  store = await openLabStore(`test-${++dbCount}`);
  return store;
}
afterEach(() => store?.close());

describe('lab store (IndexedDB)', () => {
  it('keeps sessions, snapshots and checkpoints, lists them and deletes a session with everything in it', async () => {
    const s = await fresh();
    const a = await s.createSession(config, { backend: 'cpu' });
    const b = await s.createSession({ ...config, seed: 4 });
    for (const run of [0, 1]) for (const step of [0, 10]) await s.putSnapshot(a.id, snapshot(run, step));
    await s.putSnapshot(b.id, snapshot(0, 0));
    await s.putCheckpoint(a.id, checkpoint(0, 0));
    await s.putCheckpoint(a.id, checkpoint(0, 10)); // replaces the older one
    await s.putAnalysis({ sessionId: a.id, layer: 1, step: 10, params: '{"k":50}', document: { ok: 1 } });

    expect((await s.listSessions()).map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(await s.snapshotSteps(a.id)).toEqual([
      { step: 0, runs: 2 },
      { step: 10, runs: 2 },
    ]);
    const at10 = await s.snapshots(a.id, 10);
    expect(at10.map((x) => x.run)).toEqual([0, 1]);
    expect(at10[1].kernels[1].data).toEqual(snapshot(1, 10).kernels[1].data);
    expect(Number.isNaN((await s.snapshots(a.id, 0))[0].loss)).toBe(true);
    expect((await s.checkpoints(a.id)).map((c) => c.step)).toEqual([10]);
    expect((await s.getAnalysis(a.id, 1, 10, '{"k":50}'))?.document).toEqual({ ok: 1 });
    expect(await s.getAnalysis(a.id, 1, 10, '{"k":51}')).toBeUndefined();

    const paused = await s.updateSession(a.id, { status: 'paused' });
    expect(paused.status).toBe('paused');
    expect((await s.unfinishedSessions()).length).toBe(2);
    await expect(s.updateSession('nope', { status: 'complete' })).rejects.toThrow(/no training session nope/);

    await s.deleteSession(a.id);
    expect((await s.listSessions()).map((x) => x.id)).toEqual([b.id]);
    expect(await s.snapshots(a.id)).toEqual([]);
    expect(await s.checkpoints(a.id)).toEqual([]);
    expect(await s.listAnalyses(a.id)).toEqual([]);
    expect((await s.snapshots(b.id)).length).toBe(1);
  });

  it('exports a session as one file and imports it back without touching what is stored', async () => {
    const s = await fresh();
    const a = await s.createSession(config);
    for (const run of [0, 1]) {
      await s.putSnapshot(a.id, snapshot(run, 0));
      await s.putCheckpoint(a.id, checkpoint(run, 0));
    }
    const file = await s.exportSession(a.id);
    // Same database, same training: importing its own export adds nothing and duplicates nothing.
    const same = await s.importSession(file, 'a.kleinscope');
    expect(same.id).toBe(a.id);
    expect((await s.listSessions()).map((x) => x.id)).toEqual([a.id]);
    expect((await s.snapshots(a.id)).length).toBe(2);
    // The import is the newest session, the one a reload brings back, though its file is older.
    expect(same.updatedAt >= a.updatedAt).toBe(true);
    // An export taken earlier never rolls the stored training back: its later checkpoint and snapshot stay.
    await s.putSnapshot(a.id, snapshot(0, 10));
    await s.putCheckpoint(a.id, checkpoint(0, 10));
    await s.importSession(file, 'a.kleinscope');
    expect((await s.checkpoints(a.id)).map((c) => [c.run, c.step])).toEqual([
      [0, 10],
      [1, 0],
    ]);
    expect((await s.snapshots(a.id)).length).toBe(3);

    // A different training that happens to have the same id is kept apart under a new id.
    const stranger = decodeSession(file);
    stranger.session.config = { ...config, seed: config.seed + 1 };
    const copy = await s.importSession(encodeSession(stranger), 'b.kleinscope');
    expect(copy.id).not.toBe(a.id);
    expect(copy.status).toBe('paused');
    const back = await s.snapshots(copy.id);
    expect(back.map((x) => [x.run, x.step])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(back[1].kernels[0].data).toEqual(snapshot(1, 0).kernels[0].data);
    const cps = await s.checkpoints(copy.id);
    expect(cps[1].adamV[2]).toEqual(checkpoint(1, 0).adamV[2]);
    expect((await s.snapshots(a.id)).length).toBe(3);

    // Another browser: the session keeps its id.
    const other = await openLabStore(`test-${++dbCount}`);
    try {
      expect((await other.importSession(file)).id).toBe(a.id);
    } finally {
      other.close();
    }
  });

  it('reports a full quota instead of swallowing it', async () => {
    const s = await fresh();
    const a = await s.createSession(config);
    // Simulate the browser running out of room on the next put, as IndexedDB signals it.
    const { IDBObjectStore } = globalThis as unknown as {
      IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown } };
    };
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    try {
      await expect(s.putSnapshot(a.id, snapshot(0, 10))).rejects.toThrow(StoreQuotaError);
      await expect(s.putCheckpoint(a.id, checkpoint(1, 10))).rejects.toThrow(
        /browser storage is full: could not save the checkpoint of run 1 at step 10/,
      );
      const file = encodeSession({
        session: (await s.getSession(a.id))!,
        snapshots: [snapshot(0, 0)],
        checkpoints: [],
      });
      await expect(s.importSession(file, 'big.kleinscope')).rejects.toThrow(
        /could not save the imported session from big\.kleinscope/,
      );
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    // Nothing half-imported is left behind.
    expect((await s.listSessions()).length).toBe(1);
  });
});

describe('session files', () => {
  const session = { id: 'x', createdAt: 't', updatedAt: 't', status: 'complete' as const, config };
  const good = encodeSession({ session, snapshots: [snapshot(0, 0)], checkpoints: [checkpoint(1, 10)] });

  it('round-trip', () => {
    const back = decodeSession(good);
    expect(back.session).toEqual(session);
    expect(back.snapshots[0].kernels[1].data).toEqual(snapshot(0, 0).kernels[1].data);
    expect(back.checkpoints[0].params[0]).toEqual(checkpoint(1, 10).params[0]);
  });

  it('say what is wrong with a bad file', () => {
    expect(() => decodeSession(new TextEncoder().encode('hello world!'), 'h.bin')).toThrow(
      /h\.bin: not a Kleinscope training session/,
    );
    expect(() => decodeSession(good.subarray(0, good.length - 8), 'cut')).toThrow(
      /cut: .* lies past the end of the data/,
    );
    const header = new TextEncoder().encode(
      JSON.stringify({
        format: 'kleinscope/training-session@1',
        exportedAt: 'now',
        session: { ...session, status: 'weird' },
        snapshots: [],
        checkpoints: [],
      }),
    );
    const bad = new Uint8Array(12 + header.length);
    bad.set(new TextEncoder().encode('KSSESS01'));
    new DataView(bad.buffer).setUint32(8, header.length, true);
    bad.set(header, 12);
    expect(() => decodeSession(bad, 'b')).toThrow(SessionFileError);
    expect(() => decodeSession(bad, 'b')).toThrow(/b: header field 'session.status'/);
    const tooManyRuns = encodeSession({
      session: { ...session, config: { ...config, runs: 1 } },
      snapshots: [],
      checkpoints: [checkpoint(1, 10)],
    });
    expect(() => decodeSession(tooManyRuns, 'r')).toThrow(/r: run 1 is beyond the session's 1 runs/);
    expect(new SessionFileError('x')).toBeInstanceOf(StoreError);
  });
});
