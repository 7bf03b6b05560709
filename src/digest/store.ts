// Digest subscriptions and posted slots in SQLite (better-sqlite3 12.x; WAL; migrations from ./migrations).
//
// A database that cannot be opened, is not SQLite, is corrupt, or was written by a newer memwall is reported as a
// StoreError with a one-line message naming the path; the file is never deleted, replaced or "repaired".
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { NewSubscription, Platform, Subscription } from './types.ts';

export class StoreError extends Error {
  constructor(message: string, readonly path: string, readonly code?: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/** A subscription as stored: the shared shape plus the instant from which its slots count. */
export interface StoredSubscription extends Subscription {
  /** slots at or before this instant are not posted (subscribe, re-subscribe and resume set it to "now") */
  activeSince: string;
  pausedAt: string | null;
}

export interface PostRecord {
  subscriptionId: number;
  slot: string;
  state: 'claimed' | 'posted' | 'failed';
  claimedAt: string;
  postedAt: string | null;
  error: string | null;
}

export interface Store {
  /** where the database is (":memory:" for tests) */
  readonly path: string;
  /** create, or update the subscription of this platform+channel (new schedule/timezone/model; clears a pause) */
  subscribe(sub: NewSubscription): StoredSubscription;
  unsubscribe(platform: Platform, channelId: string): boolean;
  get(platform: Platform, channelId: string): StoredSubscription | null;
  getById(id: number): StoredSubscription | null;
  list(): StoredSubscription[];
  /**
   * Take the right to post one slot. False when it is posted, failed for good, or claimed by someone else less than
   * CLAIM_LEASE_MS ago (an older claim is an abandoned one — a process that died mid-post — and is taken over).
   */
  claimSlot(subId: number, slotIso: string, nowIso?: string): boolean;
  /** record a successful post of a claimed slot, and the catalog snapshot it was built from */
  markPosted(subId: number, slotIso: string, snapshot: string, postedAtIso: string): void;
  /** give a claimed slot back (the post failed and should be retried) */
  releaseSlot(subId: number, slotIso: string): void;
  /** a claimed slot that will not be retried (the subscription was paused) */
  failSlot(subId: number, slotIso: string, error: string): void;
  pause(subId: number, reason: string): void;
  resume(subId: number): void;
  /** the slots recorded for a subscription, oldest first */
  posts(subId: number): PostRecord[];
  /** applied schema migrations, in order */
  migrations(): { version: number; name: string; appliedAt: string }[];
  close(): void;
}

export interface StoreOptions {
  /** clock for created/claimed/paused timestamps (tests) */
  now?: () => Date;
  /** folder holding NNN_name.sql files (default: ./migrations next to this file) */
  migrationsDir?: string;
}

/** a claim older than this, never marked posted or failed, belonged to a process that died mid-post */
export const CLAIM_LEASE_MS = 30 * 60_000;

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const MIGRATION_FILE = /^(\d{3,})_([\w-]+)\.sql$/;

interface Migration { version: number; name: string; sql: string }

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const list = readdirSync(dir)
    .map((f) => ({ f, m: MIGRATION_FILE.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .map(({ f, m }) => ({ version: Number(m[1]), name: m[2], sql: readFileSync(resolve(dir, f), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  list.forEach((m, i) => {
    if (i > 0 && m.version === list[i - 1].version) throw new Error(`two migrations numbered ${m.version} in ${dir}`);
  });
  return list;
}

function describeOpenError(path: string, e: unknown): StoreError {
  const code = (e as { code?: string }).code ?? '';
  const msg = e instanceof Error ? e.message : String(e);
  const fix = 'move it aside; memwall will not replace it';
  switch (code) {
    case 'SQLITE_NOTADB':
      return new StoreError(`digest database ${path} is not a SQLite database (corrupt?) — ${fix}`, path, code);
    case 'SQLITE_CORRUPT':
    case 'SQLITE_CORRUPT_VTAB':
      return new StoreError(`digest database ${path} is corrupt (${msg}) — ${fix}`, path, code);
    case 'SQLITE_READONLY':
    case 'SQLITE_READONLY_DIRECTORY':
    case 'SQLITE_READONLY_DBMOVED':
      return new StoreError(`digest database ${path} is read-only (${msg}) — make it and its folder writable, or point MEMWALL_DB elsewhere`, path, code);
    case 'SQLITE_CANTOPEN':
      return new StoreError(`cannot open digest database ${path} (${msg}) — check that the folder exists and is writable, or point MEMWALL_DB elsewhere`, path, code);
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return new StoreError(`no permission to use digest database ${path} (${msg})`, path, code);
    case 'SQLITE_BUSY':
      return new StoreError(`digest database ${path} is locked by another process (${msg}); try again`, path, code);
    case 'SQLITE_FULL':
      return new StoreError(`disk full while opening digest database ${path} (${msg})`, path, code);
    default:
      return new StoreError(`cannot use digest database ${path}: ${msg}${code ? ` (${code})` : ''}`, path, code || undefined);
  }
}

interface Row {
  id: number; platform: Platform; workspace_id: string | null; channel_id: string; cron: string; schedule_label: string;
  timezone: string; model: string; created_at: string; active_since: string; paused_reason: string | null;
  paused_at: string | null; last_posted_at: string | null; last_slot: string | null; post_count: number; last_snapshot: string | null;
}

const toSub = (r: Row): StoredSubscription => ({
  id: r.id, platform: r.platform, workspaceId: r.workspace_id, channelId: r.channel_id, cron: r.cron,
  scheduleLabel: r.schedule_label, timezone: r.timezone, model: r.model, createdAt: r.created_at,
  pausedReason: r.paused_reason, lastPostedAt: r.last_posted_at, lastSlot: r.last_slot, postCount: r.post_count,
  lastSnapshot: r.last_snapshot, activeSince: r.active_since, pausedAt: r.paused_at,
});

/**
 * Open (creating if need be) the digest database at `path` and bring its schema up to date.
 * Throws StoreError when the location is unusable or the file is not a healthy SQLite database.
 */
export function openStore(path: string, opts: StoreOptions = {}): Store {
  const clock = opts.now ?? (() => new Date());
  const nowIso = () => clock().toISOString();
  const memory = path === ':memory:' || path === '';
  const shown = memory ? ':memory:' : resolve(path);

  if (!memory) {
    const dir = dirname(shown);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const what = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way (not a folder)' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `not writable (${code})` : code ?? (e as Error).message;
      throw new StoreError(`cannot create folder ${dir} for digest database ${shown}: ${what} — point MEMWALL_DB at a writable location`, shown, code);
    }
    try {
      if (statSync(shown).isDirectory()) throw new StoreError(`digest database ${shown} is a directory, not a file — point MEMWALL_DB at a file`, shown, 'EISDIR');
    } catch (e) {
      if (e instanceof StoreError) throw e;
      // ENOENT: a new database
    }
  }

  let migrations: Migration[];
  try {
    migrations = loadMigrations(opts.migrationsDir);
  } catch (e) {
    throw new StoreError(`cannot read the digest schema migrations: ${(e as Error).message}`, shown);
  }

  let db: Database.Database;
  try {
    db = new Database(memory ? ':memory:' : shown, { fileMustExist: false });
  } catch (e) {
    throw describeOpenError(shown, e);
  }
  try {
    // Reading the header first: a file that is not SQLite fails here, before anything is written to it.
    db.pragma('schema_version');
    db.pragma('busy_timeout = 5000');
    // …and a damaged one here, still before anything is written (switching to WAL writes the header).
    const check = String(db.pragma('quick_check', { simple: true }));
    if (check !== 'ok') throw new StoreError(`digest database ${shown} is corrupt (quick_check: ${check}) — move it aside; memwall will not replace it`, shown, 'SQLITE_CORRUPT');
    if (!memory) {
      const mode = String(db.pragma('journal_mode = WAL', { simple: true })).toLowerCase();
      if (mode !== 'wal') throw new StoreError(`digest database ${shown} could not be switched to WAL mode (got "${mode}")`, shown);
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, shown, nowIso);
  } catch (e) {
    try { db.close(); } catch { /* already failing */ }
    if (e instanceof StoreError) throw e;
    throw describeOpenError(shown, e);
  }

  const q = {
    get: db.prepare<[string, string], Row>('SELECT * FROM subscriptions WHERE platform = ? AND channel_id = ?'),
    byId: db.prepare<[number], Row>('SELECT * FROM subscriptions WHERE id = ?'),
    list: db.prepare<[], Row>('SELECT * FROM subscriptions ORDER BY id'),
    insert: db.prepare(`INSERT INTO subscriptions (platform, workspace_id, channel_id, cron, schedule_label, timezone, model, created_at, active_since)
      VALUES (@platform, @workspaceId, @channelId, @cron, @scheduleLabel, @timezone, @model, @now, @now)
      ON CONFLICT (platform, channel_id) DO UPDATE SET
        workspace_id = excluded.workspace_id, cron = excluded.cron, schedule_label = excluded.schedule_label,
        timezone = excluded.timezone, model = excluded.model, active_since = excluded.active_since,
        paused_reason = NULL, paused_at = NULL`),
    delete: db.prepare('DELETE FROM subscriptions WHERE platform = ? AND channel_id = ?'),
    claim: db.prepare(`INSERT INTO posts (subscription_id, slot, state, claimed_at) VALUES (?, ?, 'claimed', ?)
      ON CONFLICT (subscription_id, slot) DO NOTHING`),
    takeOver: db.prepare(`UPDATE posts SET claimed_at = @now WHERE subscription_id = @id AND slot = @slot AND state = 'claimed' AND claimed_at <= @stale`),
    posted: db.prepare(`INSERT INTO posts (subscription_id, slot, state, claimed_at, posted_at) VALUES (@id, @slot, 'posted', @at, @at)
      ON CONFLICT (subscription_id, slot) DO UPDATE SET state = 'posted', posted_at = excluded.posted_at, error = NULL`),
    recordPost: db.prepare(`UPDATE subscriptions SET
        last_slot = CASE WHEN last_slot IS NULL OR last_slot < @slot THEN @slot ELSE last_slot END,
        last_posted_at = @at, post_count = post_count + 1, last_snapshot = @snapshot
      WHERE id = @id`),
    release: db.prepare(`DELETE FROM posts WHERE subscription_id = ? AND slot = ? AND state = 'claimed'`),
    fail: db.prepare(`UPDATE posts SET state = 'failed', error = ? WHERE subscription_id = ? AND slot = ? AND state = 'claimed'`),
    pause: db.prepare('UPDATE subscriptions SET paused_reason = ?, paused_at = ? WHERE id = ?'),
    resume: db.prepare('UPDATE subscriptions SET paused_reason = NULL, paused_at = NULL, active_since = ? WHERE id = ?'),
    posts: db.prepare<[number], { subscription_id: number; slot: string; state: PostRecord['state']; claimed_at: string; posted_at: string | null; error: string | null }>(
      'SELECT subscription_id, slot, state, claimed_at, posted_at, error FROM posts WHERE subscription_id = ? ORDER BY slot'),
    migrations: db.prepare<[], { version: number; name: string; applied_at: string }>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version'),
  };

  const markPosted = db.transaction((id: number, slot: string, snapshot: string, at: string) => {
    q.posted.run({ id, slot, at });
    q.recordPost.run({ id, slot, at, snapshot });
  });

  let closed = false;
  return {
    path: shown,
    subscribe(sub) {
      q.insert.run({ ...sub, now: nowIso() });
      return toSub(q.get.get(sub.platform, sub.channelId)!);
    },
    unsubscribe(platform, channelId) {
      return q.delete.run(platform, channelId).changes > 0;
    },
    get(platform, channelId) {
      const r = q.get.get(platform, channelId);
      return r ? toSub(r) : null;
    },
    getById(id) {
      const r = q.byId.get(id);
      return r ? toSub(r) : null;
    },
    list() {
      return q.list.all().map(toSub);
    },
    claimSlot(subId, slotIso, now = nowIso()) {
      try {
        if (q.claim.run(subId, slotIso, now).changes === 1) return true;
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return false; // unsubscribed meanwhile
        throw e;
      }
      const stale = new Date(Date.parse(now) - CLAIM_LEASE_MS).toISOString();
      return q.takeOver.run({ now, id: subId, slot: slotIso, stale }).changes === 1;
    },
    markPosted(subId, slotIso, snapshot, postedAtIso) {
      markPosted(subId, slotIso, snapshot, postedAtIso);
    },
    releaseSlot(subId, slotIso) {
      q.release.run(subId, slotIso);
    },
    failSlot(subId, slotIso, error) {
      q.fail.run(error, subId, slotIso);
    },
    pause(subId, reason) {
      q.pause.run(reason, nowIso(), subId);
    },
    resume(subId) {
      q.resume.run(nowIso(), subId);
    },
    posts(subId) {
      return q.posts.all(subId).map((r) => ({ subscriptionId: r.subscription_id, slot: r.slot, state: r.state, claimedAt: r.claimed_at, postedAt: r.posted_at, error: r.error }));
    },
    migrations() {
      return q.migrations.all().map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at }));
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/** Apply the migrations this database has not seen, in order, in one transaction; record each. */
function migrate(db: Database.Database, migrations: Migration[], path: string, nowIso: () => string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const run = db.transaction(() => {
    // re-read inside the (immediate) transaction: another process may have just migrated
    const applied = new Set(db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all().map((r) => r.version));
    const known = migrations.length ? migrations[migrations.length - 1].version : 0;
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new StoreError(`digest database ${path} has schema version ${newest}, newer than this memwall knows (${known}) — upgrade memwall or point MEMWALL_DB elsewhere`, path, 'SCHEMA_TOO_NEW');
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      try {
        db.exec(m.sql);
      } catch (e) {
        if (/^SQLITE_(CORRUPT|NOTADB|READONLY|CANTOPEN|FULL|IOERR|BUSY)/.test((e as { code?: string }).code ?? '')) throw e;
        throw new StoreError(`digest database ${path}: migration ${m.version}_${m.name} failed: ${(e as Error).message}`, path, (e as { code?: string }).code);
      }
      record.run(m.version, m.name, nowIso());
    }
  });
  run.immediate();
}
