/** The lab's IndexedDB cache: sessions, snapshots, checkpoints, analyses; export/import of a session. */
export { openLabStore, LabStore, DB_NAME, analysisKey, type StepSummary } from './labStore';
export { StoreError, StoreQuotaError, SessionFileError } from './errors';
export { encodeSession, decodeSession, SESSION_FORMAT, type SessionBundle } from './sessionFile';
export type { Session, SessionConfig, SessionStatus, StoredAnalysis } from './types';
