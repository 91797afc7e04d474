-- The change feed: one row per governance change (a key, a model, a version, an alias), written in the transaction of
-- the change itself, so every replica that polls it learns of the change once it is committed and never before.
-- AUTOINCREMENT: sequence numbers only ever grow, even after the newest rows are pruned.
-- Keep in step with ../postgresql/V2__changes.sql.
CREATE TABLE changes (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  kind    TEXT NOT NULL,
  subject TEXT NOT NULL,
  origin  TEXT NOT NULL
);
CREATE INDEX changes_by_at ON changes (at);
