-- Governance schema, SQLite. Instants are epoch milliseconds (INTEGER), days ISO text (YYYY-MM-DD); JSON is TEXT.
-- Keep in step with ../postgresql/V1__governance.sql: the same tables, columns and rules.

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  secret_hash  TEXT NOT NULL,
  scopes       TEXT NOT NULL,
  limits       TEXT NOT NULL,
  model_limits TEXT NOT NULL,
  created      INTEGER NOT NULL,
  created_by   TEXT NOT NULL,
  expires      INTEGER,
  revoked      INTEGER
);

CREATE TABLE counters (
  name         TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  n            INTEGER NOT NULL,
  PRIMARY KEY (name, window_start)
);
CREATE INDEX counters_by_window ON counters (window_start);

CREATE TABLE usage_daily (
  key_id         TEXT NOT NULL,
  model          TEXT NOT NULL,
  day            TEXT NOT NULL,
  requests       INTEGER NOT NULL,
  errors         INTEGER NOT NULL,
  row_count      INTEGER NOT NULL,
  tokens         INTEGER NOT NULL,
  latency_micros INTEGER NOT NULL,
  PRIMARY KEY (key_id, model, day)
);
CREATE INDEX usage_by_day ON usage_daily (day);

-- AUTOINCREMENT: ids only ever grow, even after the newest row is gone.
CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  target  TEXT NOT NULL,
  source  TEXT,
  outcome TEXT NOT NULL,
  detail  TEXT
);
CREATE INDEX audit_by_at ON audit_log (at);
CREATE INDEX audit_by_actor ON audit_log (actor, id);

-- Append-only, enforced by the database itself and not only by the code that writes it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- last_version: the newest version number ever reserved, so numbers are never reused after a delete.
CREATE TABLE models (
  name         TEXT PRIMARY KEY,
  card         TEXT NOT NULL DEFAULT '',
  created      INTEGER NOT NULL,
  created_by   TEXT NOT NULL,
  archived     BOOLEAN NOT NULL DEFAULT FALSE,
  last_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE versions (
  model      TEXT NOT NULL REFERENCES models (name) ON DELETE CASCADE,
  version    INTEGER NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('PENDING', 'PUBLISHED', 'ARCHIVED')),
  format     TEXT NOT NULL,
  artifact   TEXT,
  sha256     TEXT,
  size_bytes INTEGER NOT NULL DEFAULT 0,
  source     TEXT NOT NULL,
  metadata   TEXT,
  created_by TEXT NOT NULL,
  created    INTEGER NOT NULL,
  PRIMARY KEY (model, version)
);
CREATE INDEX versions_by_state ON versions (state, created);

CREATE TABLE aliases (
  model   TEXT NOT NULL,
  alias   TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (model, alias),
  FOREIGN KEY (model, version) REFERENCES versions (model, version) ON DELETE CASCADE
);
