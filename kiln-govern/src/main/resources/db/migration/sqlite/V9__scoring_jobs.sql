-- Batch-scoring jobs (issue 15): one queue every replica claims from, as training's jobs (V4). A job is one row: the
-- columns claiming and listing read, and the whole job as JSON in body, replaced with them in one transaction.
-- rows_done is the committed row count: the rows of the parts below, written in the same transaction as each part,
-- so a replica that takes over a job whose runner died resumes after the last committed part, never inside one.
-- Keep in step with ../postgresql/V9__scoring_jobs.sql.
CREATE TABLE scoring_jobs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  state            TEXT NOT NULL,
  owner            TEXT,
  heartbeat        INTEGER,
  created_by       TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  rows_done        INTEGER NOT NULL DEFAULT 0,
  body             TEXT NOT NULL
);
CREATE INDEX scoring_jobs_by_state ON scoring_jobs (state, id);
CREATE INDEX scoring_jobs_by_creator ON scoring_jobs (created_by, id);

-- The output's parts in order, each an artifact in the artifact store: part 0 holds the header row.
CREATE TABLE scoring_parts (
  job_id   INTEGER NOT NULL REFERENCES scoring_jobs (id) ON DELETE CASCADE,
  part     INTEGER NOT NULL,
  artifact TEXT NOT NULL,
  sha256   TEXT NOT NULL,
  size     INTEGER NOT NULL,
  rows     INTEGER NOT NULL,
  PRIMARY KEY (job_id, part)
);
