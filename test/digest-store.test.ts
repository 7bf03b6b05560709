// The SQLite engine's own concerns: opening, migrating and refusing unusable files. The store's behaviour (claims,
// leases, due subscriptions, installations, seen interactions) is in store-contract.test.ts, on SQLite and PostgreSQL.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMigrations, openStore, StoreError } from '../src/digest/store.ts';
import type { NewSubscription } from '../src/digest/types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sub = (channelId: string, extra: Partial<NewSubscription> = {}): NewSubscription => ({
  platform: 'discord', workspaceId: 'G1', channelId, cron: '0 9 * * 1', scheduleLabel: 'weekly', timezone: 'UTC', model: 'llama-3.1-70b', ...extra,
});

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'memwall-store-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('openStore (SQLite)', () => {
  it('creates the parent folder, uses WAL and foreign keys, and records the migrations', async () => {
    const path = join(dir, 'var', 'deeper', 'memwall.db');
    const store = await openStore(path);
    expect(store.kind).toBe('sqlite');
    await store.subscribe(sub('c1'));
    await store.close();
    expect(existsSync(path)).toBe(true);

    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    const files = loadMigrations();
    expect(files.length).toBeGreaterThan(1);
    expect(rows).toEqual(files.map((m) => ({ version: m.version, name: m.name })));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r: any) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['posts', 'schema_migrations', 'subscriptions', 'slack_installations', 'seen_interactions']));
    db.close();

    // reopening applies nothing twice and keeps the data
    const again = await openStore(path);
    expect((await again.migrations()).map((m) => m.version)).toEqual(files.map((m) => m.version));
    expect((await again.list()).map((s) => s.channelId)).toEqual(['c1']);
    await again.close();
  });

  it('a database from before the scale-out migration keeps its posts; an old claim keeps its 30-minute lease', async () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path); // as memwall before this version left it: migration 1 only
    db.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;
      INSERT INTO schema_migrations VALUES (1, 'init', '2026-02-01T00:00:00.000Z');`);
    db.exec(readFileSync(new URL('../src/digest/migrations/001_init.sql', import.meta.url), 'utf8'));
    db.prepare(`INSERT INTO subscriptions (platform, workspace_id, channel_id, cron, schedule_label, timezone, model, created_at, active_since)
      VALUES ('discord', 'G', 'c1', '0 9 * * *', 'daily', 'UTC', 'm', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z')`).run();
    db.prepare(`INSERT INTO posts (subscription_id, slot, state, claimed_at, posted_at) VALUES (1, '2026-03-01T09:00:00.000Z', 'posted', '2026-03-01T09:00:01.000Z', '2026-03-01T09:00:02.000Z'),
      (1, '2026-03-02T09:00:00.000Z', 'claimed', '2026-03-02T09:00:01.000Z', NULL)`).run();
    db.close();
    const s = await openStore(path);
    expect((await s.migrations()).map((m) => m.version)).toEqual([1, 2]);
    const posts = await s.posts(1);
    expect(posts.map((p) => [p.state, p.leaseUntil, p.attempts])).toEqual([['posted', '2026-03-01T09:30:01.000Z', 1], ['claimed', '2026-03-02T09:30:01.000Z', 1]]);
    expect((await s.getById(1))?.nextRunAt).toBe('2026-03-01T00:00:00.000Z');
    await s.close();
  });

  it('applies a new migration once, in order, after the ones already applied', async () => {
    const mdir = join(dir, 'migrations');
    mkdirSync(mdir);
    for (const m of readdirSync(new URL('../src/digest/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql'))) copyFileSync(new URL(`../src/digest/migrations/${m}`, import.meta.url), join(mdir, m));
    const path = join(dir, 'm.db');
    await (await openStore(path, { migrationsDir: mdir })).close();
    writeFileSync(join(mdir, '900_extra.sql'), 'CREATE TABLE extra (x INTEGER) STRICT;');
    const s = await openStore(path, { migrationsDir: mdir });
    expect((await s.migrations()).map((m) => `${m.version}_${m.name}`).at(-1)).toBe('900_extra');
    await s.close();
    const s2 = await openStore(path, { migrationsDir: mdir }); // would fail with "table extra already exists" if re-run
    expect((await s2.migrations()).filter((m) => m.version === 900)).toHaveLength(1);
    await s2.close();
  });

  it('a corrupt file (random bytes) → StoreError naming the path; the file is left exactly as it was', async () => {
    const path = join(dir, 'memwall.db');
    const bytes = randomBytes(16384);
    writeFileSync(path, bytes);
    let err: unknown;
    try { await openStore(path); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/is not a SQLite database \(corrupt\?\) — move it aside; memwall will not replace it/);
    expect((err as Error).message).not.toContain('\n');
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(['memwall.db']); // no -wal/-shm/journal left behind, nothing renamed
  });

  it('a SQLite file with damaged pages → StoreError "corrupt"; the file is left exactly as it was', async () => {
    const good = join(dir, 'good.db');
    const s = await openStore(good);
    for (let i = 0; i < 200; i++) await s.subscribe(sub(`c${i}`, { model: 'x'.repeat(200) }));
    await s.close();
    const bytes = readFileSync(good);
    const broken = Buffer.from(bytes);
    randomBytes(broken.length - 4096).copy(broken, 4096); // keep the header page, scramble the rest
    const path = join(dir, 'broken.db');
    writeFileSync(path, broken);
    await expect(openStore(path)).rejects.toThrow(StoreError);
    await expect(openStore(path)).rejects.toThrow(/corrupt|not a SQLite database/);
    expect(readFileSync(path).equals(broken)).toBe(true);
  });

  it('an unusable location → StoreError (parent is a file; path is a folder)', async () => {
    writeFileSync(join(dir, 'file'), 'not a folder');
    await expect(openStore(join(dir, 'file', 'memwall.db'))).rejects.toThrow(StoreError);
    await expect(openStore(join(dir, 'file', 'memwall.db'))).rejects.toThrow(/cannot create folder .*file for digest database .*: a file is in the way/);
    await expect(openStore(dir)).rejects.toThrow(/is a directory/);
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('not a folder');
  });

  it('a database from a newer memwall is refused, not downgraded', async () => {
    const path = join(dir, 'new.db');
    await (await openStore(path)).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run();
    db.close();
    await expect(openStore(path)).rejects.toThrow(/schema version 999, newer than this memwall knows/);
  });
});

// Issue 11 item 11: a read-only database file in a writable folder used to start, then log "attempt to write a
// readonly database" every minute; `memwall digest subscribe` crashed with an uncaught SqliteError. Root ignores file
// modes, so as root the processes run as the unprivileged `nobody`.
describe('a read-only database file in a writable folder', () => {
  const asRoot = process.getuid?.() === 0;
  function asUser(args: string[], env: Record<string, string> = {}) {
    const cmd = asRoot ? 'runuser' : process.execPath;
    const full = asRoot ? ['-u', 'nobody', '--', process.execPath, ...args] : args;
    return spawnSync(cmd, full, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: dir, ...env }, timeout: 60_000 });
  }
  function readOnlyDb(): string {
    chmodSync(dir, 0o777);
    const path = join(dir, 'ro.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.close();
    execFileSync(process.execPath, ['--import', 'tsx', '-e', `const { openStore } = await import(${JSON.stringify(join(ROOT, 'src/digest/store.ts'))}); const s = await openStore(${JSON.stringify(path)}); await s.subscribe({ platform: 'local', workspaceId: null, channelId: 'x', cron: '0 9 * * *', scheduleLabel: 'daily', timezone: 'UTC', model: 'llama-3.1-70b' }); await s.close();`], { cwd: ROOT });
    chmodSync(path, 0o444);
    return path;
  }

  it('`memwall digest subscribe` stops with one line naming the file, exit 1, no stack', () => {
    const path = readOnlyDb();
    const before = readFileSync(path);
    const r = asUser(['--import', 'tsx', 'src/platforms/local/cli.ts', 'digest', 'subscribe', '--platform', 'local', '--channel', 'y'], { MEMWALL_DB: path, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json') });
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(new RegExp(`^memwall: digest database ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is read-only \\(.*\\) — make it and its folder writable, or point MEMWALL_DB elsewhere$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(1);
    expect(readFileSync(path).equals(before)).toBe(true);
  }, 60_000);

  it('`npm start` refuses to start with one line, exit 1', () => {
    const path = readOnlyDb();
    const r = asUser(['--import', 'tsx', 'src/main.ts'], { MEMWALL_DB: path, PORT: '0' });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is read-only/);
    expect(r.status).toBe(1);
  }, 60_000);
});
