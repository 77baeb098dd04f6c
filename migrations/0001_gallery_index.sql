-- The gallery's index: one row per published result, derived from its R2 metadata and latest version.
-- R2 stays the store of record (documents and owner metadata); every column here can be rebuilt from it.
CREATE TABLE results (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  title_key TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  dataset TEXT NOT NULL,
  dataset_key TEXT NOT NULL,
  architecture TEXT NOT NULL DEFAULT '',
  arch_key TEXT NOT NULL DEFAULT '',
  layer INTEGER,
  verdict TEXT NOT NULL,
  -- Longest H1 bar over the next; -1 stands for "none" so that the ratio sort has a total order for its cursor.
  ratio REAL NOT NULL,
  bytes INTEGER NOT NULL,
  card TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  withdrawn_at TEXT
);

CREATE INDEX results_new ON results (created_ms, id) WHERE withdrawn_at IS NULL;
CREATE INDEX results_ratio ON results (ratio, id) WHERE withdrawn_at IS NULL;
CREATE INDEX results_title ON results (title_key, id) WHERE withdrawn_at IS NULL;
CREATE INDEX results_dataset ON results (dataset_key, created_ms) WHERE withdrawn_at IS NULL;
CREATE INDEX results_arch ON results (arch_key, created_ms) WHERE withdrawn_at IS NULL;

-- Full-text search over what people type: title, description, dataset and architecture. External content: the
-- text lives once, in `results`, and the triggers keep the search index in step inside the same transaction.
CREATE VIRTUAL TABLE results_fts USING fts5(
  title, description, dataset, architecture,
  content = 'results', content_rowid = 'rowid',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TRIGGER results_ai AFTER INSERT ON results BEGIN
  INSERT INTO results_fts (rowid, title, description, dataset, architecture)
  VALUES (new.rowid, new.title, new.description, new.dataset, new.architecture);
END;
CREATE TRIGGER results_ad AFTER DELETE ON results BEGIN
  INSERT INTO results_fts (results_fts, rowid, title, description, dataset, architecture)
  VALUES ('delete', old.rowid, old.title, old.description, old.dataset, old.architecture);
END;
CREATE TRIGGER results_au AFTER UPDATE OF title, description, dataset, architecture ON results BEGIN
  INSERT INTO results_fts (results_fts, rowid, title, description, dataset, architecture)
  VALUES ('delete', old.rowid, old.title, old.description, old.dataset, old.architecture);
  INSERT INTO results_fts (rowid, title, description, dataset, architecture)
  VALUES (new.rowid, new.title, new.description, new.dataset, new.architecture);
END;
