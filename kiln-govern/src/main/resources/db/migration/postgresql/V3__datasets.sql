-- Datasets shared by replicas: one row per version (its manifest as JSON, its bytes in the artifact store under an
-- opaque key, checked against artifact_sha256 when read). dataset_names holds the last version number handed out for
-- each name; it outlives deletes, so a number is never reused, and claiming the next one is an upsert in the
-- transaction that inserts the version (the upsert locks the name's row, so concurrent adds queue on it).
-- Keep in step with ../sqlite/V3__datasets.sql.
CREATE TABLE dataset_names (
  name         TEXT PRIMARY KEY,
  last_version INTEGER NOT NULL
);
CREATE TABLE dataset_versions (
  name            TEXT NOT NULL,
  version         INTEGER NOT NULL,
  manifest        TEXT NOT NULL,
  artifact        TEXT NOT NULL,
  artifact_sha256 TEXT NOT NULL,
  created_by      TEXT,
  created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (name, version)
);
