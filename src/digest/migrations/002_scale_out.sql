-- Scale-out and delivery through crashes: a next-run column the scheduler selects due subscriptions by; claims with
-- an owner, a short lease and an attempt count; 'released' (to be retried) and 'skipped' (given up, with the reason)
-- slots; Slack installations (encrypted by the app); recently seen Discord interaction ids.
ALTER TABLE subscriptions ADD COLUMN next_run_at TEXT NOT NULL DEFAULT '';
UPDATE subscriptions SET next_run_at = active_since;
CREATE INDEX subscriptions_next_run ON subscriptions (next_run_at);

CREATE TABLE posts_new (
  id              INTEGER PRIMARY KEY,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  slot            TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('claimed', 'released', 'posted', 'failed', 'skipped')),
  claimed_at      TEXT    NOT NULL,
  claimed_by      TEXT,
  lease_until     TEXT,
  attempts        INTEGER NOT NULL DEFAULT 1,
  posted_at       TEXT,
  error           TEXT,
  UNIQUE (subscription_id, slot)
) STRICT;
-- a claim from before this version had a 30-minute lease
INSERT INTO posts_new (id, subscription_id, slot, state, claimed_at, lease_until, posted_at, error)
  SELECT id, subscription_id, slot, state, claimed_at, strftime('%Y-%m-%dT%H:%M:%fZ', claimed_at, '+30 minutes'), posted_at, error FROM posts;
DROP TABLE posts;
ALTER TABLE posts_new RENAME TO posts;

CREATE TABLE slack_installations (
  install_key TEXT PRIMARY KEY,
  data        TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE seen_interactions (
  id         TEXT    PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX seen_interactions_expiry ON seen_interactions (expires_at);
