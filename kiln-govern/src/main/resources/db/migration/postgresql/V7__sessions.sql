-- Browser sessions of the web console (issue 14): signing in with an API key starts one, and its cookie then stands
-- for the key. Only the SHA-256 of the session token is stored (the token is 256 random bits, as a key's secret), so
-- the table cannot be used to sign in. The rows live here, not in a replica's memory, so that every replica behind a
-- load balancer, and a restarted server, honours them. ended: signed out, or the key was revoked or rotated.
-- Keep in step with ../sqlite/V7__sessions.sql.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  key_id     TEXT NOT NULL,
  created    TIMESTAMP WITH TIME ZONE NOT NULL,
  expires    TIMESTAMP WITH TIME ZONE NOT NULL,
  ended      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX sessions_by_key ON sessions (key_id);
CREATE INDEX sessions_by_expiry ON sessions (expires);
