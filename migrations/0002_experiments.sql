-- Pooled experiments: the definition, one row per copy of a run (a replicated run has two copies, a run whose
-- copies were rejected gets fresh ones), one row per accepted kernel upload, and the contributors seen.
-- R2 holds the kernels themselves (write-once objects named in experiment_uploads.object_key).
CREATE TABLE experiments (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,
  preset TEXT NOT NULL,
  runs INTEGER NOT NULL,
  -- JSON array of snapshot steps, ascending; the last one is the training's length.
  steps TEXT NOT NULL,
  batch INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  init TEXT NOT NULL,
  learning_rate REAL NOT NULL,
  replication REAL NOT NULL,
  token_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  closed_at TEXT
);

CREATE INDEX experiments_new ON experiments (created_ms, id);

CREATE TABLE experiment_copies (
  experiment_id TEXT NOT NULL REFERENCES experiments (id),
  run INTEGER NOT NULL,
  copy INTEGER NOT NULL,
  -- 'open' (in the pool), 'leased' (lease_* set), 'done' (every step uploaded), 'rejected' (excluded)
  state TEXT NOT NULL CHECK (state IN ('open', 'leased', 'done', 'rejected')),
  -- Public name of the current lease (R2 keys, uploads); the lease token itself is kept only as its hash.
  lease_id TEXT,
  lease_hash TEXT,
  lease_expires_ms INTEGER,
  contributor TEXT,
  backend TEXT,
  done_ms INTEGER,
  reason TEXT,
  PRIMARY KEY (experiment_id, run, copy)
);

CREATE INDEX experiment_copies_state ON experiment_copies (experiment_id, state, run, copy);
CREATE UNIQUE INDEX experiment_copies_lease ON experiment_copies (lease_hash) WHERE lease_hash IS NOT NULL;

CREATE TABLE experiment_uploads (
  experiment_id TEXT NOT NULL,
  run INTEGER NOT NULL,
  copy INTEGER NOT NULL,
  lease_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  object_key TEXT NOT NULL,
  -- L2 norm of each conv layer's kernel, JSON array (outlier checks without reading R2).
  norms TEXT NOT NULL,
  loss REAL,
  accuracy REAL NOT NULL,
  uploaded_ms INTEGER NOT NULL,
  PRIMARY KEY (experiment_id, run, copy, lease_id, step)
);

CREATE TABLE experiment_contributors (
  experiment_id TEXT NOT NULL,
  contributor TEXT NOT NULL,
  flagged_ms INTEGER,
  PRIMARY KEY (experiment_id, contributor)
);
