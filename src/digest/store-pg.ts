// The PostgreSQL engine of the store (pg 8.x), chosen when DATABASE_URL is a postgres:// URL. Several instances
// share it: migrations run once under pg_advisory_xact_lock, due subscriptions are taken with
// SELECT … FOR UPDATE SKIP LOCKED on the indexed next_run_at column, and each (subscription, slot) is claimed by one
// owner at a time through the unique key of posts.
import pg from 'pg';
import { loadMigrations, PG_MIGRATIONS, type Migration } from './migrations.ts';
import {
  PRUNE_EVERY_MS, redactUrl, StoreError, toPost, toSub,
  type Claim, type PostRow, type PostState, type Store, type StoreOptions, type SubRow,
} from './store.ts';

/** any constant: the key of the advisory lock migrations run under */
const MIGRATION_LOCK = 7_310_420_511;

function describeError(shown: string, e: unknown): StoreError {
  const err = e as { code?: string; message?: string };
  const code = err.code ?? '';
  const msg = err.message ?? String(e);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
    return new StoreError(`cannot reach PostgreSQL at ${shown} (${code}) — check DATABASE_URL and that the server is running`, shown, code);
  }
  if (code === '28P01' || code === '28000') return new StoreError(`PostgreSQL at ${shown} refused the login (${msg}) — check the user and password in DATABASE_URL`, shown, code);
  if (code === '3D000') return new StoreError(`PostgreSQL at ${shown}: ${msg} — create it first (createdb)`, shown, code);
  if (code === '25006') return new StoreError(`PostgreSQL at ${shown} is read-only (${msg}) — point DATABASE_URL at the primary, writable server`, shown, code);
  if (code === '42501') return new StoreError(`PostgreSQL at ${shown}: no permission (${msg}) — the user in DATABASE_URL must be able to create tables and write`, shown, code);
  return new StoreError(`cannot use PostgreSQL at ${shown}: ${msg}${code ? ` (${code})` : ''}`, shown, code || undefined);
}

export async function openPgStore(url: string, opts: StoreOptions = {}): Promise<Store> {
  const clock = opts.now ?? (() => new Date());
  const nowIso = () => clock().toISOString();
  const shown = redactUrl(url);
  let migrations: Migration[];
  try {
    migrations = loadMigrations(opts.migrationsDir ?? PG_MIGRATIONS);
  } catch (e) {
    throw new StoreError(`cannot read the digest schema migrations: ${(e as Error).message}`, shown);
  }
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 10_000, application_name: 'memwall' });
  // an idle client that loses its connection emits 'error' on the pool; without a listener that would crash the process
  pool.on('error', (e) => opts.onError?.(e));
  try {
    await migrate(pool, migrations, shown, nowIso);
  } catch (e) {
    await pool.end().catch(() => undefined);
    if (e instanceof StoreError) throw e;
    throw describeError(shown, e);
  }

  async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return pool.query<R>(text, values);
  }
  async function tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  let lastPrune = 0;
  let closed = false;
  return {
    kind: 'postgres',
    path: shown,
    async subscribe(sub) {
      const now = nowIso();
      const r = await query<SubRow>(`INSERT INTO subscriptions (platform, workspace_id, channel_id, cron, schedule_label, timezone, model, created_at, active_since, next_run_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)
        ON CONFLICT (platform, channel_id) DO UPDATE SET
          workspace_id = excluded.workspace_id, cron = excluded.cron, schedule_label = excluded.schedule_label,
          timezone = excluded.timezone, model = excluded.model, active_since = excluded.active_since,
          next_run_at = excluded.next_run_at, paused_reason = NULL, paused_at = NULL
        RETURNING *`, [sub.platform, sub.workspaceId, sub.channelId, sub.cron, sub.scheduleLabel, sub.timezone, sub.model, now]);
      return toSub(r.rows[0]);
    },
    async unsubscribe(platform, channelId) {
      return ((await query('DELETE FROM subscriptions WHERE platform = $1 AND channel_id = $2', [platform, channelId])).rowCount ?? 0) > 0;
    },
    async get(platform, channelId) {
      const r = await query<SubRow>('SELECT * FROM subscriptions WHERE platform = $1 AND channel_id = $2', [platform, channelId]);
      return r.rows[0] ? toSub(r.rows[0]) : null;
    },
    async getById(id) {
      const r = await query<SubRow>('SELECT * FROM subscriptions WHERE id = $1', [id]);
      return r.rows[0] ? toSub(r.rows[0]) : null;
    },
    async list() {
      return (await query<SubRow>('SELECT * FROM subscriptions ORDER BY id')).rows.map(toSub);
    },
    async takeDue(req) {
      // one statement, one transaction: rows another instance has locked are skipped, not waited for
      const r = await query<SubRow>(`UPDATE subscriptions SET next_run_at = $2 WHERE id IN (
          SELECT id FROM subscriptions
          WHERE next_run_at <= $1 AND paused_reason IS NULL AND platform = ANY($4::text[])
          ORDER BY next_run_at, id LIMIT $3
          FOR UPDATE SKIP LOCKED)
        RETURNING *`, [req.now, req.holdUntil, req.limit, req.platforms]);
      return r.rows.map(toSub).sort((a, b) => a.id - b.id);
    },
    async setNextRun(subId, at) {
      await query('UPDATE subscriptions SET next_run_at = $1 WHERE id = $2', [at, subId]);
    },
    async claimSlot(subId, slot, req): Promise<Claim> {
      try {
        const r = await query<{ attempts: number }>(`INSERT INTO posts (subscription_id, slot, state, claimed_at, claimed_by, lease_until, attempts)
          VALUES ($1, $2, 'claimed', $3, $4, $5, 1)
          ON CONFLICT (subscription_id, slot) DO UPDATE SET state = 'claimed', claimed_at = excluded.claimed_at,
            claimed_by = excluded.claimed_by, lease_until = excluded.lease_until, attempts = posts.attempts + 1
          WHERE posts.state = 'released' OR (posts.state = 'claimed' AND posts.lease_until <= $3)
          RETURNING attempts`, [subId, slot, req.now, req.owner, req.leaseUntil]);
        if (r.rows[0]) return { ok: true, attempt: Number(r.rows[0].attempts) };
      } catch (e) {
        if ((e as { code?: string }).code === '23503') return { ok: false, state: 'no-subscription' }; // unsubscribed meanwhile
        throw e;
      }
      const row = (await query<{ state: PostState; lease_until: string | null }>('SELECT state, lease_until FROM posts WHERE subscription_id = $1 AND slot = $2', [subId, slot])).rows[0];
      return { ok: false, state: row?.state ?? 'no-subscription', leaseUntil: row?.lease_until ?? null };
    },
    async heartbeat(subId, slot, owner, leaseUntil) {
      const r = await query(`UPDATE posts SET lease_until = $1 WHERE subscription_id = $2 AND slot = $3 AND claimed_by = $4 AND state = 'claimed'`, [leaseUntil, subId, slot, owner]);
      return r.rowCount === 1;
    },
    async markPosted(subId, slot, snapshot, postedAt, nextRunAt) {
      await tx(async (c) => {
        const r = await c.query(`INSERT INTO posts (subscription_id, slot, state, claimed_at, posted_at) VALUES ($1, $2, 'posted', $3, $3)
          ON CONFLICT (subscription_id, slot) DO UPDATE SET state = 'posted', posted_at = excluded.posted_at, lease_until = NULL, error = NULL
          WHERE posts.state <> 'posted'`, [subId, slot, postedAt]);
        if (r.rowCount !== 1) return;
        await c.query(`UPDATE subscriptions SET
            last_slot = CASE WHEN last_slot IS NULL OR last_slot < $2 THEN $2 ELSE last_slot END,
            last_posted_at = $3, post_count = post_count + 1, last_snapshot = $4, next_run_at = COALESCE($5, next_run_at)
          WHERE id = $1`, [subId, slot, postedAt, snapshot, nextRunAt ?? null]);
      });
    },
    async releaseSlot(subId, slot, reason, retryAt, owner) {
      await tx(async (c) => {
        const r = await c.query(`UPDATE posts SET state = 'released', lease_until = NULL, error = $3
          WHERE subscription_id = $1 AND slot = $2 AND state = 'claimed' AND ($4::text IS NULL OR claimed_by = $4)`, [subId, slot, reason ?? null, owner ?? null]);
        if (r.rowCount === 1 && retryAt) await c.query('UPDATE subscriptions SET next_run_at = $1 WHERE id = $2', [retryAt, subId]);
      });
    },
    async failSlot(subId, slot, error) {
      await query(`UPDATE posts SET state = 'failed', lease_until = NULL, error = $1 WHERE subscription_id = $2 AND slot = $3 AND state = 'claimed'`, [error, subId, slot]);
    },
    async skipSlot(subId, slot, reason, at) {
      try {
        await query(`INSERT INTO posts (subscription_id, slot, state, claimed_at, error) VALUES ($1, $2, 'skipped', $3, $4)
          ON CONFLICT (subscription_id, slot) DO UPDATE SET state = 'skipped', lease_until = NULL, error = excluded.error
          WHERE posts.state IN ('claimed', 'released')`, [subId, slot, at, reason]);
      } catch (e) {
        if ((e as { code?: string }).code !== '23503') throw e;
      }
    },
    async skipSuperseded(subId, slot, now) {
      const r = await query<{ slot: string }>(`UPDATE posts SET state = 'skipped', lease_until = NULL,
          error = 'a later slot (' || $1 || ') was due before this one could be posted' || COALESCE(' (last error: ' || error || ')', '')
        WHERE subscription_id = $2 AND slot < $1 AND (state = 'released' OR (state = 'claimed' AND lease_until <= $3))
        RETURNING slot`, [slot, subId, now]);
      return r.rows.map((x) => x.slot).sort();
    },
    async pause(subId, reason) {
      await query('UPDATE subscriptions SET paused_reason = $1, paused_at = $2 WHERE id = $3', [reason, nowIso(), subId]);
    },
    async resume(subId) {
      await query('UPDATE subscriptions SET paused_reason = NULL, paused_at = NULL, active_since = $1, next_run_at = $1 WHERE id = $2', [nowIso(), subId]);
    },
    async posts(subId) {
      return (await query<PostRow>('SELECT * FROM posts WHERE subscription_id = $1 ORDER BY slot', [subId])).rows.map(toPost);
    },
    async migrations() {
      const r = await query<{ version: number; name: string; applied_at: string }>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
      return r.rows.map((x) => ({ version: Number(x.version), name: x.name, appliedAt: x.applied_at }));
    },
    async markInteractionSeen(id, expiresAtMs) {
      const now = clock().getTime();
      if (now - lastPrune >= PRUNE_EVERY_MS) { lastPrune = now; await query('DELETE FROM seen_interactions WHERE expires_at <= $1', [now]); }
      const r = await query(`INSERT INTO seen_interactions (id, expires_at) VALUES ($1, $2)
        ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_interactions.expires_at <= $3 RETURNING id`, [id, Math.round(expiresAtMs), now]);
      return r.rowCount === 1;
    },
    async saveInstallation(key, data) {
      await query(`INSERT INTO slack_installations (install_key, data, updated_at) VALUES ($1, $2, $3)
        ON CONFLICT (install_key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`, [key, data, nowIso()]);
    },
    async getInstallation(key) {
      return (await query<{ data: string }>('SELECT data FROM slack_installations WHERE install_key = $1', [key])).rows[0]?.data ?? null;
    },
    async deleteInstallation(key) {
      return ((await query('DELETE FROM slack_installations WHERE install_key = $1', [key])).rowCount ?? 0) > 0;
    },
    async ping() {
      await query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * Apply missing migrations in one transaction under a transaction-level advisory lock: instances starting together
 * queue on the lock, and the ones after the first find nothing left to do. The last statement writes (and the
 * transaction commits), so a read-only server or user is refused here, at start-up.
 */
async function migrate(pool: pg.Pool, migrations: Migration[], shown: string, nowIso: () => string): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const applied = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
    const known = migrations.length ? migrations[migrations.length - 1].version : 0;
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new StoreError(`PostgreSQL database ${shown} has schema version ${newest}, newer than this memwall knows (${known}) — upgrade memwall`, shown, 'SCHEMA_TOO_NEW');
    }
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      try {
        await c.query(m.sql);
      } catch (e) {
        throw new StoreError(`PostgreSQL database ${shown}: migration ${m.version}_${m.name} failed: ${(e as Error).message}`, shown, (e as { code?: string }).code);
      }
      await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, nowIso()]);
    }
    // the writability check: fails with 25006 on a read-only server or transaction
    await c.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (-1, 'write-check', $1)`, [nowIso()]);
    await c.query('DELETE FROM schema_migrations WHERE version = -1');
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    if (e instanceof StoreError && e.code !== '25006') throw e;
    throw e instanceof StoreError ? describeError(shown, { code: e.code, message: e.message }) : describeError(shown, e);
  } finally {
    c.release();
  }
}
