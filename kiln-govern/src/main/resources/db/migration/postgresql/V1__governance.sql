-- Governance schema, PostgreSQL. Instants are TIMESTAMP WITH TIME ZONE, days DATE; JSON is TEXT (as on SQLite).
-- Keep in step with ../sqlite/V1__governance.sql: the same tables, columns and rules.

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  secret_hash  TEXT NOT NULL,
  scopes       TEXT NOT NULL,
  limits       TEXT NOT NULL,
  model_limits TEXT NOT NULL,
  created      TIMESTAMP WITH TIME ZONE NOT NULL,
  created_by   TEXT NOT NULL,
  expires      TIMESTAMP WITH TIME ZONE,
  revoked      TIMESTAMP WITH TIME ZONE
);

CREATE TABLE counters (
  name         TEXT NOT NULL,
  window_start TIMESTAMP WITH TIME ZONE NOT NULL,
  n            BIGINT NOT NULL,
  PRIMARY KEY (name, window_start)
);
CREATE INDEX counters_by_window ON counters (window_start);

CREATE TABLE usage_daily (
  key_id         TEXT NOT NULL,
  model          TEXT NOT NULL,
  day            DATE NOT NULL,
  requests       BIGINT NOT NULL,
  errors         BIGINT NOT NULL,
  row_count      BIGINT NOT NULL,
  tokens         BIGINT NOT NULL,
  latency_micros BIGINT NOT NULL,
  PRIMARY KEY (key_id, model, day)
);
CREATE INDEX usage_by_day ON usage_daily (day);

CREATE TABLE audit_log (
  id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      TIMESTAMP WITH TIME ZONE NOT NULL,
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
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- last_version: the newest version number ever reserved, so numbers are never reused after a delete.
CREATE TABLE models (
  name         TEXT PRIMARY KEY,
  card         TEXT NOT NULL DEFAULT '',
  created      TIMESTAMP WITH TIME ZONE NOT NULL,
  created_by   TEXT NOT NULL,
  archived     BOOLEAN NOT NULL DEFAULT FALSE,
  last_version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE versions (
  model      TEXT NOT NULL REFERENCES models (name) ON DELETE CASCADE,
  version    BIGINT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('PENDING', 'PUBLISHED', 'ARCHIVED')),
  format     TEXT NOT NULL,
  artifact   TEXT,
  sha256     TEXT,
  size_bytes BIGINT NOT NULL DEFAULT 0,
  source     TEXT NOT NULL,
  metadata   TEXT,
  created_by TEXT NOT NULL,
  created    TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (model, version)
);
CREATE INDEX versions_by_state ON versions (state, created);

CREATE TABLE aliases (
  model   TEXT NOT NULL,
  alias   TEXT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (model, alias),
  FOREIGN KEY (model, version) REFERENCES versions (model, version) ON DELETE CASCADE
);
