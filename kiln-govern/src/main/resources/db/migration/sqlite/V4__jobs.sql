-- Training jobs and sweeps, shared by every replica (issue 13). A job is one row: the columns that claiming and
-- listing read, and the whole job as JSON in body, replaced on every change in the same transaction as the columns.
-- Runners claim from this table: SQLite allows one writer at a time, so a claim (a transaction begun IMMEDIATE) is
-- exclusive. heartbeat is epoch milliseconds; a RUNNING job whose heartbeat is older than the lease is claimed again.
-- Keep in step with ../postgresql/V4__jobs.sql. Depends on nothing after V2.
CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  state            TEXT NOT NULL,
  owner            TEXT,
  heartbeat        INTEGER,
  created_by       TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  body             TEXT NOT NULL
);
CREATE INDEX jobs_by_state ON jobs (state, id);

-- A job's files (splits record, checkpoints, exported model) as artifacts in the artifact store, by their name in the
-- job's folder (checkpoints/weights-3.params).
CREATE TABLE job_files (
  job_id   INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  name     TEXT NOT NULL,
  artifact TEXT NOT NULL,
  sha256   TEXT NOT NULL,
  size     INTEGER NOT NULL,
  PRIMARY KEY (job_id, name)
);

CREATE TABLE sweeps (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  created_by TEXT,
  body       TEXT NOT NULL
);
