-- As the SQLite 002: next-run column (indexed), claims with owner, lease and attempts, released/skipped states,
-- Slack installations (encrypted by the app), recently seen Discord interaction ids.
ALTER TABLE subscriptions ADD COLUMN next_run_at TEXT NOT NULL DEFAULT '';
UPDATE subscriptions SET next_run_at = active_since;
CREATE INDEX subscriptions_next_run ON subscriptions (next_run_at);

ALTER TABLE posts DROP CONSTRAINT posts_state_check;
ALTER TABLE posts ADD CONSTRAINT posts_state_check CHECK (state IN ('claimed', 'released', 'posted', 'failed', 'skipped'));
ALTER TABLE posts ADD COLUMN claimed_by TEXT;
ALTER TABLE posts ADD COLUMN lease_until TEXT;
ALTER TABLE posts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
UPDATE posts SET lease_until = to_char((claimed_at::timestamptz + interval '30 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

CREATE TABLE slack_installations (
  install_key TEXT PRIMARY KEY,
  data        TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE seen_interactions (
  id         TEXT   PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX seen_interactions_expiry ON seen_interactions (expires_at);
