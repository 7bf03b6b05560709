-- Digest subscriptions, and one row per (subscription, scheduled slot) so a slot is posted at most once.
CREATE TABLE subscriptions (
  id             INTEGER PRIMARY KEY,
  platform       TEXT    NOT NULL CHECK (platform IN ('local', 'discord', 'slack')),
  workspace_id   TEXT,
  channel_id     TEXT    NOT NULL,
  cron           TEXT    NOT NULL,
  schedule_label TEXT    NOT NULL,
  timezone       TEXT    NOT NULL,
  model          TEXT    NOT NULL,
  created_at     TEXT    NOT NULL,
  -- slots at or before this instant are never posted (set on subscribe, re-subscribe and resume)
  active_since   TEXT    NOT NULL,
  paused_reason  TEXT,
  paused_at      TEXT,
  last_posted_at TEXT,
  last_slot      TEXT,
  post_count     INTEGER NOT NULL DEFAULT 0,
  last_snapshot  TEXT,
  UNIQUE (platform, channel_id)
) STRICT;

CREATE TABLE posts (
  id              INTEGER PRIMARY KEY,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  -- ISO instant of the scheduled slot
  slot            TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('claimed', 'posted', 'failed')),
  claimed_at      TEXT    NOT NULL,
  posted_at       TEXT,
  error           TEXT,
  UNIQUE (subscription_id, slot)
) STRICT;
