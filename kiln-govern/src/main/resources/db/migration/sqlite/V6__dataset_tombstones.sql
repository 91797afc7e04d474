-- What is left of a deleted dataset version (issue 18): who deleted it (a key id, or "retention"), when and why, and
-- the checksum of what was deleted, so the lineage of jobs and models trained on it still says what they came from.
-- The row is inserted in the transaction that deletes the version's row, and that delete is the claim: of several
-- deleters (an owner and retention sweepers on several replicas) exactly one removes the row and writes its tombstone.
-- dataset_names.retention_seconds: how long a version of the name is kept (null: for ever); deleted_at: epoch ms.
-- Keep in step with ../postgresql/V6__dataset_tombstones.sql.
CREATE TABLE dataset_tombstones (
  name       TEXT NOT NULL,
  version    INTEGER NOT NULL,
  sha256     TEXT NOT NULL,
  deleted_by TEXT NOT NULL,
  deleted_at INTEGER NOT NULL,
  reason     TEXT NOT NULL,
  PRIMARY KEY (name, version)
);
ALTER TABLE dataset_names ADD COLUMN retention_seconds INTEGER;
