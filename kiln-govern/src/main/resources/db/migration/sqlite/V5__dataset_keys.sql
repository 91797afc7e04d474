-- The keys of datasets' hashed columns: one per dataset name, made on first use and never changed, so every version of
-- a name (and a model trained on it, at serve time) hashes a value alike. The key itself is an artifact in the
-- encrypted artifact store (sealed under the master key, rewrapped by kiln master-key rotate/rewrap); the row says
-- which. The primary key makes the first use race-free: replicas insert if absent, then read back the one row.
-- Keep in step with ../postgresql/V5__dataset_keys.sql.
CREATE TABLE dataset_keys (
  dataset  TEXT PRIMARY KEY,
  artifact TEXT NOT NULL,
  sha256   TEXT NOT NULL,
  created  INTEGER NOT NULL
);
