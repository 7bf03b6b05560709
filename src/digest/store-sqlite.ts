// The SQLite engine of the store (better-sqlite3 12.x; WAL; migrations from ./migrations). The default, one machine.
//
// A database that cannot be opened, is not SQLite, is corrupt, is read-only, or was written by a newer memwall is
// reported as a StoreError with a one-line message naming the path; the file is never deleted, replaced or "repaired".
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadMigrations, type Migration } from './migrations.ts';
import {
  PRUNE_EVERY_MS, StoreError, toPost, toSub,
  type Claim, type PostRow, type PostState, type Store, type StoreOptions, type SubRow,
} from './store.ts';

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

/**
 * Open (creating if need be) the digest database at `path` and bring its schema up to date.
 * Throws StoreError when the location is unusable or the file is not a healthy, writable SQLite database.
 */
export function openSqliteStore(path: string, opts: StoreOptions = {}): Store {
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
    checkWritable(db);
  } catch (e) {
    try { db.close(); } catch { /* already failing */ }
    if (e instanceof StoreError) throw e;
    throw describeOpenError(shown, e);
  }

  const q = {
    get: db.prepare<[string, string], SubRow>('SELECT * FROM subscriptions WHERE platform = ? AND channel_id = ?'),
    byId: db.prepare<[number], SubRow>('SELECT * FROM subscriptions WHERE id = ?'),
    list: db.prepare<[], SubRow>('SELECT * FROM subscriptions ORDER BY id'),
    insert: db.prepare(`INSERT INTO subscriptions (platform, workspace_id, channel_id, cron, schedule_label, timezone, model, created_at, active_since, next_run_at)
      VALUES (@platform, @workspaceId, @channelId, @cron, @scheduleLabel, @timezone, @model, @now, @now, @now)
      ON CONFLICT (platform, channel_id) DO UPDATE SET
        workspace_id = excluded.workspace_id, cron = excluded.cron, schedule_label = excluded.schedule_label,
        timezone = excluded.timezone, model = excluded.model, active_since = excluded.active_since,
        next_run_at = excluded.next_run_at, paused_reason = NULL, paused_at = NULL`),
    delete: db.prepare('DELETE FROM subscriptions WHERE platform = ? AND channel_id = ?'),
    due: db.prepare<[{ now: string; platforms: string; limit: number }], SubRow>(`SELECT * FROM subscriptions
      WHERE next_run_at <= @now AND paused_reason IS NULL AND platform IN (SELECT value FROM json_each(@platforms))
      ORDER BY next_run_at, id LIMIT @limit`),
    hold: db.prepare('UPDATE subscriptions SET next_run_at = ? WHERE id = ?'),
    claim: db.prepare<[{ id: number; slot: string; now: string; owner: string; lease: string }], { attempts: number }>(`INSERT INTO posts (subscription_id, slot, state, claimed_at, claimed_by, lease_until, attempts)
      VALUES (@id, @slot, 'claimed', @now, @owner, @lease, 1)
      ON CONFLICT (subscription_id, slot) DO UPDATE SET state = 'claimed', claimed_at = excluded.claimed_at,
        claimed_by = excluded.claimed_by, lease_until = excluded.lease_until, attempts = posts.attempts + 1
      WHERE posts.state = 'released' OR (posts.state = 'claimed' AND posts.lease_until <= @now)
      RETURNING attempts`),
    post: db.prepare<[number, string], { state: PostState; lease_until: string | null }>('SELECT state, lease_until FROM posts WHERE subscription_id = ? AND slot = ?'),
    heartbeat: db.prepare(`UPDATE posts SET lease_until = ? WHERE subscription_id = ? AND slot = ? AND claimed_by = ? AND state = 'claimed'`),
    posted: db.prepare(`INSERT INTO posts (subscription_id, slot, state, claimed_at, posted_at) VALUES (@id, @slot, 'posted', @at, @at)
      ON CONFLICT (subscription_id, slot) DO UPDATE SET state = 'posted', posted_at = excluded.posted_at, lease_until = NULL, error = NULL
      WHERE posts.state <> 'posted'`),
    recordPost: db.prepare(`UPDATE subscriptions SET
        last_slot = CASE WHEN last_slot IS NULL OR last_slot < @slot THEN @slot ELSE last_slot END,
        last_posted_at = @at, post_count = post_count + 1, last_snapshot = @snapshot,
        next_run_at = COALESCE(@next, next_run_at)
      WHERE id = @id`),
    release: db.prepare(`UPDATE posts SET state = 'released', lease_until = NULL, error = @reason
      WHERE subscription_id = @id AND slot = @slot AND state = 'claimed' AND (@owner IS NULL OR claimed_by = @owner)`),
    fail: db.prepare(`UPDATE posts SET state = 'failed', lease_until = NULL, error = ? WHERE subscription_id = ? AND slot = ? AND state = 'claimed'`),
    skip: db.prepare(`INSERT INTO posts (subscription_id, slot, state, claimed_at, error) VALUES (@id, @slot, 'skipped', @at, @reason)
      ON CONFLICT (subscription_id, slot) DO UPDATE SET state = 'skipped', lease_until = NULL, error = excluded.error
      WHERE posts.state IN ('claimed', 'released')`),
    superseded: db.prepare<[{ slot: string; id: number; now: string }], { slot: string }>(`UPDATE posts SET state = 'skipped', lease_until = NULL,
        error = 'a later slot (' || @slot || ') was due before this one could be posted' || COALESCE(' (last error: ' || error || ')', '')
      WHERE subscription_id = @id AND slot < @slot AND (state = 'released' OR (state = 'claimed' AND lease_until <= @now))
      RETURNING slot`),
    pause: db.prepare('UPDATE subscriptions SET paused_reason = ?, paused_at = ? WHERE id = ?'),
    resume: db.prepare('UPDATE subscriptions SET paused_reason = NULL, paused_at = NULL, active_since = @now, next_run_at = @now WHERE id = @id'),
    posts: db.prepare<[number], PostRow>('SELECT * FROM posts WHERE subscription_id = ? ORDER BY slot'),
    migrations: db.prepare<[], { version: number; name: string; applied_at: string }>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version'),
    prune: db.prepare('DELETE FROM seen_interactions WHERE expires_at <= ?'),
    seen: db.prepare<[{ id: string; exp: number; now: number }], { id: string }>(`INSERT INTO seen_interactions (id, expires_at) VALUES (@id, @exp)
      ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_interactions.expires_at <= @now RETURNING id`),
    saveInst: db.prepare(`INSERT INTO slack_installations (install_key, data, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (install_key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`),
    getInst: db.prepare<[string], { data: string }>('SELECT data FROM slack_installations WHERE install_key = ?'),
    delInst: db.prepare('DELETE FROM slack_installations WHERE install_key = ?'),
  };

  const takeDue = db.transaction((now: string, hold: string, limit: number, platforms: string) => {
    const rows = q.due.all({ now, platforms, limit });
    for (const r of rows) q.hold.run(hold, r.id);
    return rows;
  });
  const markPosted = db.transaction((id: number, slot: string, snapshot: string, at: string, next: string | null) => {
    if (q.posted.run({ id, slot, at }).changes === 1) q.recordPost.run({ id, slot, at, snapshot, next });
  });
  const claim = db.transaction((subId: number, slot: string, now: string, owner: string, lease: string): Claim => {
    let got: { attempts: number } | undefined;
    try {
      got = q.claim.get({ id: subId, slot, now, owner, lease });
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { ok: false, state: 'no-subscription' };
      throw e;
    }
    if (got) return { ok: true, attempt: got.attempts };
    const row = q.post.get(subId, slot);
    return { ok: false, state: row?.state ?? 'no-subscription', leaseUntil: row?.lease_until ?? null };
  });

  let lastPrune = 0;
  let closed = false;
  const store: Store = {
    kind: 'sqlite',
    path: shown,
    async subscribe(sub) {
      q.insert.run({ ...sub, now: nowIso() });
      return toSub(q.get.get(sub.platform, sub.channelId)!);
    },
    async unsubscribe(platform, channelId) {
      return q.delete.run(platform, channelId).changes > 0;
    },
    async get(platform, channelId) {
      const r = q.get.get(platform, channelId);
      return r ? toSub(r) : null;
    },
    async getById(id) {
      const r = q.byId.get(id);
      return r ? toSub(r) : null;
    },
    async list() {
      return q.list.all().map(toSub);
    },
    async takeDue(req) {
      return takeDue.immediate(req.now, req.holdUntil, req.limit, JSON.stringify(req.platforms)).map((r) => toSub({ ...r, next_run_at: req.holdUntil }));
    },
    async setNextRun(subId, at) {
      q.hold.run(at, subId);
    },
    async claimSlot(subId, slot, req) {
      return claim.immediate(subId, slot, req.now, req.owner, req.leaseUntil);
    },
    async heartbeat(subId, slot, owner, leaseUntil) {
      return q.heartbeat.run(leaseUntil, subId, slot, owner).changes === 1;
    },
    async markPosted(subId, slot, snapshot, postedAt, nextRunAt) {
      markPosted(subId, slot, snapshot, postedAt, nextRunAt ?? null);
    },
    async releaseSlot(subId, slot, reason, retryAt, owner) {
      db.transaction(() => {
        if (q.release.run({ id: subId, slot, reason: reason ?? null, owner: owner ?? null }).changes === 1 && retryAt) q.hold.run(retryAt, subId);
      })();
    },
    async failSlot(subId, slot, error) {
      q.fail.run(error, subId, slot);
    },
    async skipSlot(subId, slot, reason, at) {
      try {
        q.skip.run({ id: subId, slot, reason, at });
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw e;
      }
    },
    async skipSuperseded(subId, slot, now) {
      return q.superseded.all({ slot, id: subId, now }).map((r) => r.slot);
    },
    async pause(subId, reason) {
      q.pause.run(reason, nowIso(), subId);
    },
    async resume(subId) {
      q.resume.run({ now: nowIso(), id: subId });
    },
    async posts(subId) {
      return q.posts.all(subId).map(toPost);
    },
    async migrations() {
      return q.migrations.all().map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at }));
    },
    async markInteractionSeen(id, expiresAtMs) {
      const now = clock().getTime();
      if (now - lastPrune >= PRUNE_EVERY_MS) { lastPrune = now; q.prune.run(now); }
      return q.seen.get({ id, exp: Math.round(expiresAtMs), now }) !== undefined;
    },
    async saveInstallation(key, data) {
      q.saveInst.run(key, data, nowIso());
    },
    async getInstallation(key) {
      return q.getInst.get(key)?.data ?? null;
    },
    async deleteInstallation(key) {
      return q.delInst.run(key).changes > 0;
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
  return store;
}

/** A write, rolled back: a read-only file (or folder) fails here, at start-up, not at the first digest. */
function checkWritable(db: Database.Database): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (-1, ?, ?)').run('write-check', new Date().toISOString());
  } finally {
    db.exec('ROLLBACK');
  }
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
