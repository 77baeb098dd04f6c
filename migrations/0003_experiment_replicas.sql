-- How a replicated run's two copies were compared (experiments.ts ReplicaOutcome as JSON), kept on both copies
-- once they agree: 'exact' (same exact backend, bit for bit), 'early' (compared at the early snapshot steps only)
-- or 'unverified' (two backends and no early step: accepted, labelled "not replicated on the same backend").
ALTER TABLE experiment_copies ADD COLUMN replica TEXT;
