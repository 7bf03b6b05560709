import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAIM_LEASE_MS, loadMigrations, openStore, StoreError, type Store } from '../src/digest/store.ts';
import type { NewSubscription } from '../src/digest/types.ts';

const sub = (channelId: string, extra: Partial<NewSubscription> = {}): NewSubscription => ({
  platform: 'discord', workspaceId: 'G1', channelId, cron: '0 9 * * 1', scheduleLabel: 'weekly', timezone: 'UTC', model: 'llama-3.1-70b', ...extra,
});

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'memwall-store-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('openStore', () => {
  it('creates the parent folder, uses WAL and foreign keys, and records the migrations', () => {
    const path = join(dir, 'var', 'deeper', 'memwall.db');
    const store = openStore(path);
    store.subscribe(sub('c1'));
    store.close();
    expect(existsSync(path)).toBe(true);

    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    const files = loadMigrations();
    expect(files.length).toBeGreaterThan(0);
    expect(rows).toEqual(files.map((m) => ({ version: m.version, name: m.name })));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r: any) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['posts', 'schema_migrations', 'subscriptions']));
    db.close();

    // reopening applies nothing twice and keeps the data
    const again = openStore(path);
    expect(again.migrations().map((m) => m.version)).toEqual(files.map((m) => m.version));
    expect(again.list().map((s) => s.channelId)).toEqual(['c1']);
    again.close();
  });

  it('applies a new migration once, in order, after the ones already applied', () => {
    const mdir = join(dir, 'migrations');
    mkdirSync(mdir);
    for (const m of readdirSync(new URL('../src/digest/migrations/', import.meta.url))) copyFileSync(new URL(`../src/digest/migrations/${m}`, import.meta.url), join(mdir, m));
    const path = join(dir, 'm.db');
    openStore(path, { migrationsDir: mdir }).close();
    writeFileSync(join(mdir, '900_extra.sql'), 'CREATE TABLE extra (x INTEGER) STRICT;');
    const s = openStore(path, { migrationsDir: mdir });
    expect(s.migrations().map((m) => `${m.version}_${m.name}`).at(-1)).toBe('900_extra');
    s.close();
    const s2 = openStore(path, { migrationsDir: mdir }); // would fail with "table extra already exists" if re-run
    expect(s2.migrations().filter((m) => m.version === 900)).toHaveLength(1);
    s2.close();
  });

  it('a corrupt file (random bytes) → StoreError naming the path; the file is left exactly as it was', () => {
    const path = join(dir, 'memwall.db');
    const bytes = randomBytes(16384);
    writeFileSync(path, bytes);
    let err: unknown;
    try { openStore(path); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/is not a SQLite database \(corrupt\?\) — move it aside; memwall will not replace it/);
    expect((err as Error).message).not.toContain('\n');
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(['memwall.db']); // no -wal/-shm/journal left behind, nothing renamed
  });

  it('a SQLite file with damaged pages → StoreError "corrupt"; the file is left exactly as it was', () => {
    const good = join(dir, 'good.db');
    const s = openStore(good);
    for (let i = 0; i < 200; i++) s.subscribe(sub(`c${i}`, { model: 'x'.repeat(200) }));
    s.close();
    const bytes = readFileSync(good);
    const broken = Buffer.from(bytes);
    randomBytes(broken.length - 4096).copy(broken, 4096); // keep the header page, scramble the rest
    const path = join(dir, 'broken.db');
    writeFileSync(path, broken);
    expect(() => openStore(path)).toThrow(StoreError);
    expect(() => openStore(path)).toThrow(/corrupt|not a SQLite database/);
    expect(readFileSync(path).equals(broken)).toBe(true);
  });

  it('an unusable location → StoreError (parent is a file; path is a folder)', () => {
    writeFileSync(join(dir, 'file'), 'not a folder');
    expect(() => openStore(join(dir, 'file', 'memwall.db'))).toThrow(StoreError);
    expect(() => openStore(join(dir, 'file', 'memwall.db'))).toThrow(/cannot create folder .*file for digest database .*: a file is in the way/);
    expect(() => openStore(dir)).toThrow(/is a directory/);
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('not a folder');
  });

  it('a database from a newer memwall is refused, not downgraded', () => {
    const path = join(dir, 'new.db');
    openStore(path).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run();
    db.close();
    expect(() => openStore(path)).toThrow(/schema version 999, newer than this memwall knows/);
  });
});

describe('Store', () => {
  let clock: Date;
  let store: Store;
  beforeEach(() => {
    clock = new Date('2026-03-02T08:00:00.000Z');
    store = openStore(':memory:', { now: () => clock });
  });
  afterEach(() => store.close());

  it('subscribe upserts by platform+channel; re-subscribing updates the schedule and clears a pause', () => {
    const a = store.subscribe(sub('c1'));
    expect(a).toMatchObject({ platform: 'discord', channelId: 'c1', cron: '0 9 * * 1', scheduleLabel: 'weekly', createdAt: '2026-03-02T08:00:00.000Z', pausedReason: null, postCount: 0, lastSlot: null });
    store.pause(a.id, 'channel not found');
    expect(store.get('discord', 'c1')?.pausedReason).toBe('channel not found');
    clock = new Date('2026-03-03T10:00:00.000Z');
    const b = store.subscribe(sub('c1', { cron: '0 9 * * *', scheduleLabel: 'daily', timezone: 'Europe/London' }));
    expect(b.id).toBe(a.id);
    expect(b).toMatchObject({ cron: '0 9 * * *', scheduleLabel: 'daily', timezone: 'Europe/London', pausedReason: null, createdAt: '2026-03-02T08:00:00.000Z', activeSince: '2026-03-03T10:00:00.000Z' });
    // same channel id on another platform is another subscription
    const c = store.subscribe(sub('c1', { platform: 'slack', workspaceId: 'T1' }));
    expect(c.id).not.toBe(a.id);
    expect(store.list().map((s) => `${s.platform}/${s.channelId}`)).toEqual(['discord/c1', 'slack/c1']);
  });

  it('unsubscribe removes it and, through the foreign key, its posts; false when there was none', () => {
    const a = store.subscribe(sub('c1'));
    expect(store.claimSlot(a.id, '2026-03-02T09:00:00.000Z')).toBe(true);
    expect(store.unsubscribe('discord', 'c1')).toBe(true);
    expect(store.unsubscribe('discord', 'c1')).toBe(false);
    expect(store.get('discord', 'c1')).toBeNull();
    expect(store.posts(a.id)).toEqual([]);
    expect(store.claimSlot(a.id, '2026-03-09T09:00:00.000Z')).toBe(false); // no such subscription any more
  });

  it('claimSlot is insert-or-fail; releaseSlot gives it back; markPosted records the post', () => {
    const a = store.subscribe(sub('c1'));
    const slot = '2026-03-02T09:00:00.000Z';
    expect(store.claimSlot(a.id, slot)).toBe(true);
    expect(store.claimSlot(a.id, slot)).toBe(false);
    store.releaseSlot(a.id, slot);
    expect(store.claimSlot(a.id, slot)).toBe(true);
    store.markPosted(a.id, slot, '{"snap":1}', '2026-03-02T09:00:03.000Z');
    expect(store.claimSlot(a.id, slot)).toBe(false);
    store.releaseSlot(a.id, slot); // a posted slot is not released
    expect(store.claimSlot(a.id, slot)).toBe(false);
    expect(store.get('discord', 'c1')).toMatchObject({ lastSlot: slot, lastPostedAt: '2026-03-02T09:00:03.000Z', postCount: 1, lastSnapshot: '{"snap":1}' });
    expect(store.posts(a.id)).toEqual([expect.objectContaining({ slot, state: 'posted', postedAt: '2026-03-02T09:00:03.000Z' })]);
  });

  it('a claim abandoned by a dead process is taken over after the lease, not before', () => {
    const a = store.subscribe(sub('c1'));
    const slot = '2026-03-02T09:00:00.000Z';
    expect(store.claimSlot(a.id, slot, '2026-03-02T09:00:01.000Z')).toBe(true);
    expect(store.claimSlot(a.id, slot, new Date(Date.parse('2026-03-02T09:00:01.000Z') + CLAIM_LEASE_MS - 1000).toISOString())).toBe(false);
    expect(store.claimSlot(a.id, slot, new Date(Date.parse('2026-03-02T09:00:01.000Z') + CLAIM_LEASE_MS).toISOString())).toBe(true);
  });

  it('failSlot keeps the slot from ever being claimed again; pause/resume', () => {
    const a = store.subscribe(sub('c1'));
    const slot = '2026-03-02T09:00:00.000Z';
    store.claimSlot(a.id, slot);
    store.failSlot(a.id, slot, 'gone');
    expect(store.claimSlot(a.id, slot, '2027-01-01T00:00:00.000Z')).toBe(false);
    store.pause(a.id, 'why');
    expect(store.getById(a.id)).toMatchObject({ pausedReason: 'why', pausedAt: '2026-03-02T08:00:00.000Z' });
    clock = new Date('2026-03-05T00:00:00.000Z');
    store.resume(a.id);
    expect(store.getById(a.id)).toMatchObject({ pausedReason: null, pausedAt: null, activeSince: '2026-03-05T00:00:00.000Z' });
  });
});
