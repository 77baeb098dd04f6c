// The lab's training sessions as stored in IndexedDB (src/lib/store): what the timeline needs from the store, as
// plain data in and out, so it is tested without Svelte. `Training` (the reactive runner) is its only user.
import type { Checkpoint, Snapshot } from '../nn/training';
import { openLabStore, type LabStore, type Session, type SessionConfig } from '../store';
import { validateResult } from '../result/validate';
import type { AnalysisCache } from './analyses.svelte';

/** What an exported training session's file name ends with. */
export const SESSION_EXTENSION = '.kleinscope-session';

/** A file name stem a file system takes: the session's name, or its dataset, architecture and date. */
export function sessionFileStem(session: Session): string {
  const raw = session.name || `${session.config.dataset}-${session.config.arch.name}-${session.createdAt.slice(0, 10)}`;
  const stem = raw
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
  return stem || 'training';
}

/** One snapshot step and the snapshots of the runs that reached it. */
export interface StepSnapshots {
  step: number;
  snapshots: Snapshot[];
}

export class SessionRepository {
  #open: () => Promise<LabStore>;
  #store: Promise<LabStore> | null = null;

  /** The database opens on first use (a page that never trains never opens it). */
  constructor(open: () => Promise<LabStore> = () => openLabStore()) {
    this.#open = open;
  }

  #db(): Promise<LabStore> {
    this.#store ??= this.#open();
    return this.#store;
  }

  async create(config: SessionConfig, backend: string): Promise<Session> {
    return (await this.#db()).createSession(config, { backend });
  }

  async get(id: string): Promise<Session | undefined> {
    return (await this.#db()).getSession(id);
  }

  /** Every stored session, newest first. */
  async list(): Promise<Session[]> {
    return (await this.#db()).listSessions();
  }

  async setStatus(id: string, status: Session['status']): Promise<Session> {
    return (await this.#db()).updateSession(id, { status });
  }

  /** A session as it is found after a reload: one a closed tab left 'training' is paused now. */
  async settle(session: Session): Promise<Session> {
    return session.status === 'training' ? this.setStatus(session.id, 'paused') : session;
  }

  async delete(id: string): Promise<void> {
    await (await this.#db()).deleteSession(id);
  }

  async putSnapshot(sessionId: string, snapshot: Snapshot): Promise<void> {
    await (await this.#db()).putSnapshot(sessionId, snapshot);
  }

  async putCheckpoint(sessionId: string, checkpoint: Checkpoint): Promise<void> {
    await (await this.#db()).putCheckpoint(sessionId, checkpoint);
  }

  /** Each run's latest checkpoint, to resume from. */
  async checkpoints(sessionId: string): Promise<Checkpoint[]> {
    return (await this.#db()).checkpoints(sessionId);
  }

  /** The steps every run of the session has reached, in order, with their snapshots: the timeline. */
  async completeSteps(session: Session): Promise<StepSnapshots[]> {
    return this.#steps(session, (runs) => runs === session.config.runs);
  }

  /** The steps only some runs reached before an interruption: they complete when the others get there. */
  async unfinishedSteps(session: Session): Promise<StepSnapshots[]> {
    return this.#steps(session, (runs) => runs < session.config.runs);
  }

  async #steps(session: Session, keep: (runs: number) => boolean): Promise<StepSnapshots[]> {
    const db = await this.#db();
    const steps = (await db.snapshotSteps(session.id)).filter((s) => keep(s.runs));
    const snapshots = await Promise.all(steps.map(({ step }) => db.snapshots(session.id, step)));
    return steps.map(({ step }, i) => ({ step, snapshots: snapshots[i] }));
  }

  /**
   * The session's analyses, kept with it: by layer, step and analysis options. A stored document that no longer
   * passes the schema is not used (it is computed again).
   */
  analysisCache(sessionId: string): AnalysisCache {
    return {
      get: async (subject, options) => {
        if (subject.step === undefined) return undefined;
        const stored = await (await this.#db()).getAnalysis(sessionId, subject.layer, subject.step, options);
        const v = stored && validateResult(stored.document);
        return v && v.ok ? v.value : undefined;
      },
      put: async (subject, options, doc) => {
        if (subject.step === undefined) return;
        await (
          await this.#db()
        ).putAnalysis({ sessionId, layer: subject.layer, step: subject.step, params: options, document: doc });
      },
    };
  }

  /** The session as one `.kleinscope-session` file: its snapshots and its runs' latest checkpoints. */
  async exportFile(session: Session): Promise<{ name: string; bytes: Uint8Array }> {
    const bytes = await (await this.#db()).exportSession(session.id);
    return { name: `${sessionFileStem(session)}${SESSION_EXTENSION}`, bytes };
  }

  /**
   * Stores an exported session. The store decodes and checks the whole file before it writes anything, in one
   * transaction, so a bad file is refused (SessionFileError) and leaves the stored sessions as they were.
   */
  async importFile(bytes: Uint8Array, name: string): Promise<Session> {
    return (await this.#db()).importSession(bytes, name);
  }
}
