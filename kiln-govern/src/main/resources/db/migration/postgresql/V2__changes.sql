-- The change feed: one row per governance change (a key, a model, a version, an alias), written in the transaction of
-- the change itself, so every replica that polls it learns of the change once it is committed and never before.
-- Writers lock the table before appending (see ChangeFeed), so rows commit in sequence order and a reader that has
-- seen seq n has seen every committed row below it.
-- Keep in step with ../sqlite/V2__changes.sql.
CREATE TABLE changes (
  seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      TIMESTAMP WITH TIME ZONE NOT NULL,
  kind    TEXT NOT NULL,
  subject TEXT NOT NULL,
  origin  TEXT NOT NULL
);
CREATE INDEX changes_by_at ON changes (at);
