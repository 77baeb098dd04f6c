/**
 * The lab's IndexedDB cache (through idb): training sessions, their snapshots (every conv kernel and the test
 * accuracy per run and step), each run's latest checkpoint (to resume after a closed tab or a crash), and
 * cached analyses. Writes that fail say what they were saving; a full quota is a StoreQuotaError.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Checkpoint, Snapshot } from '../nn/training';
import { StoreError, writing } from './errors';
import { decodeSession, encodeSession } from './sessionFile';
import type { Session, SessionConfig, StoredAnalysis } from './types';

export const DB_NAME = 'kleinscope-lab';
const VERSION = 1;

type StoredSnapshot = Snapshot & { sessionId: string };
type StoredCheckpoint = Checkpoint & { sessionId: string };

interface LabDB extends DBSchema {
  sessions: { key: string; value: Session };
  snapshots: { key: [string, number, number]; value: StoredSnapshot; indexes: { session: string } };
  checkpoints: { key: [string, number]; value: StoredCheckpoint; indexes: { session: string } };
  analyses: { key: string; value: StoredAnalysis; indexes: { session: string } };
}

const STORES = ['sessions', 'snapshots', 'checkpoints', 'analyses'] as const;

/** Summary of a snapshot step: how many runs have reached it. */
export interface StepSummary {
  step: number;
  runs: number;
}

function newId(): string {
  const c = globalThis.crypto;
  if (c && 'randomUUID' in c) return c.randomUUID();
  return `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export const analysisKey = (sessionId: string, layer: number, step: number, params: string) =>
  `${sessionId}|${layer}|${step}|${params}`;

export class LabStore {
  constructor(private readonly db: IDBPDatabase<LabDB>) {}

  close(): void {
    this.db.close();
  }

  /** Starts a session in status 'training' and returns it. */
  async createSession(config: SessionConfig, extra: { name?: string; backend?: string } = {}): Promise<Session> {
    const now = new Date().toISOString();
    const session: Session = { id: newId(), createdAt: now, updatedAt: now, status: 'training', config, ...extra };
    await writing('the new training session', () => this.db.put('sessions', session));
    return session;
  }

  async updateSession(id: string, patch: Partial<Omit<Session, 'id' | 'createdAt'>>): Promise<Session> {
    return writing(`session ${id}`, async () => {
      const tx = this.db.transaction('sessions', 'readwrite');
      const old = await tx.store.get(id);
      if (!old) throw new StoreError(`no training session ${id}`);
      const next = { ...old, ...patch, id, updatedAt: new Date().toISOString() };
      await tx.store.put(next);
      await tx.done;
      return next;
    });
  }

  getSession(id: string): Promise<Session | undefined> {
    return this.db.get('sessions', id);
  }

  /** Every session, most recently updated first. */
  async listSessions(): Promise<Session[]> {
    const all = await this.db.getAll('sessions');
    return all.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /** Sessions a closed tab or a crash left in 'training' or 'paused': candidates for resuming. */
  async unfinishedSessions(): Promise<Session[]> {
    return (await this.listSessions()).filter((s) => s.status === 'training' || s.status === 'paused');
  }

  /** Deletes a session with its snapshots, checkpoints and analyses, in one transaction. */
  async deleteSession(id: string): Promise<void> {
    const tx = this.db.transaction([...STORES], 'readwrite');
    await tx.objectStore('sessions').delete(id);
    for (const name of ['snapshots', 'checkpoints', 'analyses'] as const) {
      const index = tx.objectStore(name).index('session');
      for (let cursor = await index.openCursor(id); cursor; cursor = await cursor.continue()) await cursor.delete();
    }
    await tx.done;
  }

  async putSnapshot(sessionId: string, snapshot: Snapshot): Promise<void> {
    await writing(`the snapshot of run ${snapshot.run} at step ${snapshot.step}`, () =>
      this.db.put('snapshots', { ...snapshot, sessionId }),
    );
  }

  /** Snapshots of a session, by run then step; with `step`, only those at that step (every run). */
  async snapshots(sessionId: string, step?: number): Promise<Snapshot[]> {
    const all = await this.db.getAll(
      'snapshots',
      IDBKeyRange.bound([sessionId, -Infinity, -Infinity], [sessionId, Infinity, Infinity]),
    );
    return all.filter((s) => step === undefined || s.step === step).map(({ sessionId: _, ...s }) => s);
  }

  /** Which snapshot steps exist and how many runs reached each, without loading kernels into the page. */
  async snapshotSteps(sessionId: string): Promise<StepSummary[]> {
    const keys = await this.db.getAllKeys(
      'snapshots',
      IDBKeyRange.bound([sessionId, -Infinity, -Infinity], [sessionId, Infinity, Infinity]),
    );
    const counts = new Map<number, number>();
    for (const [, , step] of keys) counts.set(step, (counts.get(step) ?? 0) + 1);
    return [...counts].sort((a, b) => a[0] - b[0]).map(([step, runs]) => ({ step, runs }));
  }

  /** Stores a run's checkpoint, replacing its older one (only the latest is needed to resume). */
  async putCheckpoint(sessionId: string, checkpoint: Checkpoint): Promise<void> {
    await writing(`the checkpoint of run ${checkpoint.run} at step ${checkpoint.step}`, () =>
      this.db.put('checkpoints', { ...checkpoint, sessionId }),
    );
  }

  async checkpoints(sessionId: string): Promise<Checkpoint[]> {
    const all = await this.db.getAllFromIndex('checkpoints', 'session', sessionId);
    return all.sort((a, b) => a.run - b.run).map(({ sessionId: _, ...c }) => c);
  }

  async putAnalysis(a: Omit<StoredAnalysis, 'key' | 'createdAt'>): Promise<StoredAnalysis> {
    const record: StoredAnalysis = {
      ...a,
      key: analysisKey(a.sessionId, a.layer, a.step, a.params),
      createdAt: new Date().toISOString(),
    };
    await writing(`the analysis of layer ${a.layer} at step ${a.step}`, () => this.db.put('analyses', record));
    return record;
  }

  getAnalysis(sessionId: string, layer: number, step: number, params: string): Promise<StoredAnalysis | undefined> {
    return this.db.get('analyses', analysisKey(sessionId, layer, step, params));
  }

  listAnalyses(sessionId: string): Promise<StoredAnalysis[]> {
    return this.db.getAllFromIndex('analyses', 'session', sessionId);
  }

  /** The whole session (snapshots and latest checkpoints; not cached analyses) as one file's bytes. */
  async exportSession(id: string): Promise<Uint8Array> {
    const session = await this.getSession(id);
    if (!session) throw new StoreError(`no training session ${id}`);
    return encodeSession({ session, snapshots: await this.snapshots(id), checkpoints: await this.checkpoints(id) });
  }

  /**
   * Imports an exported session in one transaction: all of it or, on any error, nothing. A session this browser
   * already has (same id, same configuration: the file was exported here) is not duplicated: the import adds the
   * snapshots it lacks and any later checkpoints to it. A different session that happens to have the same id gets
   * a new one; nothing stored is ever replaced by an older state. Returns the stored session.
   */
  async importSession(bytes: Uint8Array, file = 'session file'): Promise<Session> {
    const bundle = decodeSession(bytes, file);
    // Stamped now, so that the import is the most recent session, the one a reload brings back.
    const session = { ...bundle.session, updatedAt: new Date().toISOString() };
    const existing = await this.getSession(session.id);
    const same = existing !== undefined && JSON.stringify(existing.config) === JSON.stringify(session.config);
    if (existing && !same) session.id = newId();
    if (session.status === 'training') session.status = 'paused';
    if (existing && same) session.status = existing.status === 'complete' ? 'complete' : session.status;
    const storedSteps = new Map((same ? await this.checkpoints(session.id) : []).map((c) => [c.run, c.step]));
    await writing(`the imported session from ${file}`, async () => {
      const tx = this.db.transaction(['sessions', 'snapshots', 'checkpoints'], 'readwrite');
      await tx.objectStore('sessions').put(same ? { ...existing, ...session, createdAt: existing.createdAt } : session);
      for (const s of bundle.snapshots) await tx.objectStore('snapshots').put({ ...s, sessionId: session.id });
      for (const c of bundle.checkpoints) {
        if ((storedSteps.get(c.run) ?? -1) >= c.step) continue;
        await tx.objectStore('checkpoints').put({ ...c, sessionId: session.id });
      }
      await tx.done;
    });
    return (await this.getSession(session.id)) ?? session;
  }
}

/** Opens (creating or upgrading) the lab's database. */
export async function openLabStore(name = DB_NAME): Promise<LabStore> {
  if (typeof indexedDB === 'undefined')
    throw new StoreError('this browser has no IndexedDB: sessions cannot be cached');
  const db = await openDB<LabDB>(name, VERSION, {
    upgrade(db) {
      db.createObjectStore('sessions', { keyPath: 'id' });
      db.createObjectStore('snapshots', { keyPath: ['sessionId', 'run', 'step'] }).createIndex('session', 'sessionId');
      db.createObjectStore('checkpoints', { keyPath: ['sessionId', 'run'] }).createIndex('session', 'sessionId');
      db.createObjectStore('analyses', { keyPath: 'key' }).createIndex('session', 'sessionId');
    },
  });
  return new LabStore(db);
}
