// One contract, two engines: the same cases run on SQLite (a real file) and on a real PostgreSQL 15 started by the
// vitest globalSetup (test/helpers/pg-global-setup.ts). Each case gets a fresh database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { openStore, type Store, type StoreOptions } from '../src/digest/store.ts';
import type { NewSubscription } from '../src/digest/types.ts';
import { createDatabase } from './helpers/pg-server.ts';

const sub = (channelId: string, extra: Partial<NewSubscription> = {}): NewSubscription => ({
  platform: 'discord', workspaceId: 'G1', channelId, cron: '0 9 * * 1', scheduleLabel: 'weekly', timezone: 'UTC', model: 'llama-3.1-70b', ...extra,
});
const T = (s: string) => `2026-03-02T${s}.000Z`;
const req = (now: string, owner = 'A', leaseS = 90) => ({ now: T(now), owner, leaseUntil: new Date(Date.parse(T(now)) + leaseS * 1000).toISOString() });

const tmp = mkdtempSync(join(tmpdir(), 'memwall-contract-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Engine { name: 'sqlite' | 'postgres'; location(): Promise<string> }
const engines: Engine[] = [
  { name: 'sqlite', location: async () => join(tmp, `${Math.random().toString(36).slice(2)}.db`) },
  { name: 'postgres', location: async () => createDatabase(inject('pgUrl')) },
];

describe.each(engines)('store contract on $name', (engine) => {
  let clock: Date;
  let location: string;
  let store: Store;
  const others: Store[] = [];
  const open = async (opts: StoreOptions = {}) => { const s = await openStore(location, { now: () => clock, ...opts }); others.push(s); return s; };
  beforeEach(async () => {
    clock = new Date(T('08:00:00'));
    location = await engine.location();
    store = await openStore(location, { now: () => clock });
  });
  afterEach(async () => {
    await store.close();
    for (const s of others.splice(0)) await s.close();
  });

  it('is the engine asked for, with every migration applied once', async () => {
    expect(store.kind).toBe(engine.name);
    expect((await store.migrations()).map((m) => `${m.version}_${m.name}`)).toEqual(['1_init', '2_scale_out']);
    const again = await open();
    expect((await again.migrations()).length).toBe(2);
    await store.ping();
  });

  it('subscribe upserts by platform+channel; re-subscribing updates the schedule, clears a pause and makes it due now', async () => {
    const a = await store.subscribe(sub('c1'));
    expect(a).toMatchObject({ platform: 'discord', channelId: 'c1', cron: '0 9 * * 1', scheduleLabel: 'weekly', createdAt: T('08:00:00'), pausedReason: null, postCount: 0, lastSlot: null, nextRunAt: T('08:00:00') });
    expect(typeof a.id).toBe('number');
    await store.pause(a.id, 'channel not found');
    expect((await store.get('discord', 'c1'))?.pausedReason).toBe('channel not found');
    clock = new Date(T('10:00:00'));
    const b = await store.subscribe(sub('c1', { cron: '0 9 * * *', scheduleLabel: 'daily', timezone: 'Europe/London' }));
    expect(b.id).toBe(a.id);
    expect(b).toMatchObject({ cron: '0 9 * * *', scheduleLabel: 'daily', timezone: 'Europe/London', pausedReason: null, createdAt: T('08:00:00'), activeSince: T('10:00:00'), nextRunAt: T('10:00:00') });
    const c = await store.subscribe(sub('c1', { platform: 'slack', workspaceId: 'T1' }));
    expect(c.id).not.toBe(a.id);
    expect((await store.list()).map((s) => `${s.platform}/${s.channelId}`)).toEqual(['discord/c1', 'slack/c1']);
    expect(await store.getById(c.id)).toMatchObject({ workspaceId: 'T1' });
  });

  it('unsubscribe removes it and its posts; false when there was none; a claim on it is refused', async () => {
    const a = await store.subscribe(sub('c1'));
    expect(await store.claimSlot(a.id, T('09:00:00'), req('09:00:01'))).toEqual({ ok: true, attempt: 1 });
    expect(await store.unsubscribe('discord', 'c1')).toBe(true);
    expect(await store.unsubscribe('discord', 'c1')).toBe(false);
    expect(await store.get('discord', 'c1')).toBeNull();
    expect(await store.posts(a.id)).toEqual([]);
    expect(await store.claimSlot(a.id, T('10:00:00'), req('10:00:01'))).toEqual({ ok: false, state: 'no-subscription' });
  });

  it('a slot is claimed once; released it is claimed again as attempt 2; posted it is never claimed again', async () => {
    const a = await store.subscribe(sub('c1'));
    const slot = T('09:00:00');
    expect(await store.claimSlot(a.id, slot, req('09:00:01', 'A'))).toEqual({ ok: true, attempt: 1 });
    expect(await store.claimSlot(a.id, slot, req('09:00:02', 'B'))).toEqual({ ok: false, state: 'claimed', leaseUntil: T('09:01:31') });
    await store.releaseSlot(a.id, slot, 'Discord answered 500', T('09:02:00'), 'B'); // not B's claim: nothing happens
    expect((await store.posts(a.id))[0]).toMatchObject({ state: 'claimed', claimedBy: 'A' });
    await store.releaseSlot(a.id, slot, 'Discord answered 500', T('09:02:00'), 'A');
    expect((await store.posts(a.id))[0]).toMatchObject({ state: 'released', error: 'Discord answered 500', attempts: 1 });
    expect((await store.getById(a.id))?.nextRunAt).toBe(T('09:02:00'));
    expect(await store.claimSlot(a.id, slot, req('09:02:00', 'B'))).toEqual({ ok: true, attempt: 2 });
    await store.markPosted(a.id, slot, '{"snap":1}', T('09:02:03'), '2026-03-09T09:00:00.000Z');
    await store.markPosted(a.id, slot, '{"snap":1}', T('09:02:04')); // recorded twice (a retry): counted once
    expect(await store.claimSlot(a.id, slot, req('23:00:00', 'C'))).toMatchObject({ ok: false, state: 'posted' });
    await store.releaseSlot(a.id, slot); // a posted slot is not released
    expect(await store.getById(a.id)).toMatchObject({ lastSlot: slot, lastPostedAt: T('09:02:03'), postCount: 1, lastSnapshot: '{"snap":1}', nextRunAt: '2026-03-09T09:00:00.000Z' });
    expect(await store.posts(a.id)).toEqual([expect.objectContaining({ slot, state: 'posted', postedAt: T('09:02:03'), attempts: 2, leaseUntil: null, error: null })]);
  });

  it('a dead owner’s claim is taken over when its lease runs out, not before; a heartbeat keeps a live owner’s claim', async () => {
    const a = await store.subscribe(sub('c1'));
    const slot = T('09:00:00');
    expect(await store.claimSlot(a.id, slot, req('09:00:00', 'A', 60))).toMatchObject({ ok: true, attempt: 1 });
    expect(await store.claimSlot(a.id, slot, req('09:00:59', 'B'))).toMatchObject({ ok: false, state: 'claimed' });
    expect(await store.heartbeat(a.id, slot, 'A', T('09:02:00'))).toBe(true);
    expect(await store.heartbeat(a.id, slot, 'B', T('09:05:00'))).toBe(false); // not B's
    expect(await store.claimSlot(a.id, slot, req('09:01:30', 'B'))).toMatchObject({ ok: false, state: 'claimed', leaseUntil: T('09:02:00') });
    expect(await store.claimSlot(a.id, slot, req('09:02:00', 'B'))).toEqual({ ok: true, attempt: 2 });
    expect(await store.heartbeat(a.id, slot, 'A', T('09:04:00'))).toBe(false); // A lost it
    expect((await store.posts(a.id))[0]).toMatchObject({ state: 'claimed', claimedBy: 'B', attempts: 2 });
  });

  it('takeDue returns due, unpaused subscriptions on the given platforms, oldest first, and holds them', async () => {
    const d1 = await store.subscribe(sub('d1'));
    clock = new Date(T('08:00:05'));
    const d2 = await store.subscribe(sub('d2'));
    const s1 = await store.subscribe(sub('s1', { platform: 'slack', workspaceId: 'T1' }));
    const p = await store.subscribe(sub('p'));
    await store.pause(p.id, 'gone');
    const later = await store.subscribe(sub('later'));
    await store.setNextRun(later.id, T('12:00:00'));
    const take = (limit: number, platforms: ('discord' | 'slack' | 'local')[] = ['discord', 'slack']) => store.takeDue({ now: T('09:00:00'), holdUntil: T('09:01:30'), limit, platforms });
    expect((await take(1)).map((s) => s.channelId)).toEqual(['d1']);
    const rest = await take(10, ['discord']);
    expect(rest.map((s) => s.channelId)).toEqual(['d2']);
    expect(rest[0].nextRunAt).toBe(T('09:01:30'));
    expect((await take(10)).map((s) => s.channelId)).toEqual(['s1']);
    expect(await take(10)).toEqual([]); // all held
    expect((await store.getById(d1.id))?.nextRunAt).toBe(T('09:01:30'));
    expect((await store.getById(d2.id))?.nextRunAt).toBe(T('09:01:30'));
    expect((await store.getById(s1.id))?.nextRunAt).toBe(T('09:01:30'));
    await store.resume(p.id);
    expect((await take(10)).map((s) => s.channelId)).toEqual(['p']);
  });

  it('several connections taking due subscriptions at once get disjoint sets that cover them all', async () => {
    for (let i = 0; i < 60; i++) await store.subscribe(sub(`c${i}`));
    const conns = [store, await open(), await open()];
    const taken = await Promise.all(conns.flatMap((s) => [1, 2, 3].map(() => s.takeDue({ now: T('09:00:00'), holdUntil: T('09:01:30'), limit: 7, platforms: ['discord'] }))));
    let all = taken.flat().map((s) => s.channelId);
    // keep taking until none is due
    for (let more = await store.takeDue({ now: T('09:00:00'), holdUntil: T('09:01:30'), limit: 100, platforms: ['discord'] }); more.length; more = []) all = all.concat(more.map((s) => s.channelId));
    expect(all).toHaveLength(60);
    expect(new Set(all).size).toBe(60);
  });

  it('several connections claiming the same slots at once: each slot has exactly one winner', async () => {
    const subs: { id: number }[] = [];
    for (let i = 0; i < 20; i++) subs.push(await store.subscribe(sub(`c${i}`)));
    const conns = [store, await open(), await open()];
    const results = await Promise.all(conns.flatMap((s, k) => subs.map(async (x) => ({ id: x.id, k, r: await s.claimSlot(x.id, T('09:00:00'), req('09:00:01', `owner${k}`)) }))));
    for (const x of subs) {
      const winners = results.filter((r) => r.id === x.id && r.r.ok);
      expect(winners).toHaveLength(1);
      expect((await store.posts(x.id))[0].claimedBy).toBe(`owner${winners[0].k}`);
    }
  });

  it('failSlot keeps a slot from ever being claimed again; skipSlot records a reason; pause/resume', async () => {
    const a = await store.subscribe(sub('c1'));
    await store.claimSlot(a.id, T('09:00:00'), req('09:00:00'));
    await store.failSlot(a.id, T('09:00:00'), 'gone');
    expect(await store.claimSlot(a.id, T('09:00:00'), { ...req('09:00:00'), now: '2027-01-01T00:00:00.000Z' })).toMatchObject({ ok: false, state: 'failed' });
    await store.skipSlot(a.id, T('10:00:00'), 'gave up after 6 attempts: Discord answered 500', T('10:30:00'));
    expect(await store.claimSlot(a.id, T('10:00:00'), req('11:00:00'))).toMatchObject({ ok: false, state: 'skipped' });
    await store.skipSlot(a.id, T('09:00:00'), 'not over a failed one', T('10:30:00'));
    expect((await store.posts(a.id)).map((p) => [p.slot, p.state, p.error])).toEqual([
      [T('09:00:00'), 'failed', 'gone'], [T('10:00:00'), 'skipped', 'gave up after 6 attempts: Discord answered 500'],
    ]);
    await store.pause(a.id, 'why');
    expect(await store.getById(a.id)).toMatchObject({ pausedReason: 'why', pausedAt: T('08:00:00') });
    clock = new Date('2026-03-05T00:00:00.000Z');
    await store.resume(a.id);
    expect(await store.getById(a.id)).toMatchObject({ pausedReason: null, pausedAt: null, activeSince: '2026-03-05T00:00:00.000Z', nextRunAt: '2026-03-05T00:00:00.000Z' });
  });

  it('older slots left released, or claimed by a dead owner, are skipped once a later slot is due; a live claim is not', async () => {
    const a = await store.subscribe(sub('c1'));
    await store.claimSlot(a.id, T('09:00:00'), req('09:00:00', 'A', 60)); // dead owner
    await store.claimSlot(a.id, T('09:01:00'), req('09:01:00', 'B')); // released with an error
    await store.releaseSlot(a.id, T('09:01:00'), 'Slack chat.postMessage failed: fatal_error');
    await store.claimSlot(a.id, T('09:02:00'), req('09:02:00', 'C', 600)); // alive
    expect(await store.skipSuperseded(a.id, T('09:03:00'), T('09:03:00'))).toEqual([T('09:00:00'), T('09:01:00')]);
    const posts = await store.posts(a.id);
    expect(posts.map((p) => p.state)).toEqual(['skipped', 'skipped', 'claimed']);
    expect(posts[1].error).toBe(`a later slot (${T('09:03:00')}) was due before this one could be posted (last error: Slack chat.postMessage failed: fatal_error)`);
  });

  it('markInteractionSeen: true the first time, false for a repeat (on any connection), true again once expired', async () => {
    const other = await open();
    const now = clock.getTime();
    expect(await store.markInteractionSeen('1234567890', now + 300_000)).toBe(true);
    expect(await store.markInteractionSeen('1234567890', now + 300_000)).toBe(false);
    expect(await other.markInteractionSeen('1234567890', now + 300_000)).toBe(false);
    expect(await other.markInteractionSeen('1234567891', now + 300_000)).toBe(true);
    // concurrent first sightings of one id: exactly one true
    const race = await Promise.all([store, other, store, other].map((s) => s.markInteractionSeen('race', now + 300_000)));
    expect(race.filter(Boolean)).toHaveLength(1);
    clock = new Date(now + 300_001);
    expect(await store.markInteractionSeen('1234567890', clock.getTime() + 300_000)).toBe(true);
    expect(await other.markInteractionSeen('1234567890', clock.getTime() + 300_000)).toBe(false);
  });

  it('expired interaction ids are pruned', async () => {
    const now = clock.getTime();
    for (let i = 0; i < 50; i++) await store.markInteractionSeen(`old${i}`, now + 1000);
    clock = new Date(now + 10 * 60_000);
    const fresh = await open(); // a new connection prunes on its first call
    await fresh.markInteractionSeen('new', clock.getTime() + 300_000);
    // pruned ids are first-seen again, and the old rows are gone (checked through a repeat being refused only once)
    expect(await fresh.markInteractionSeen('old7', clock.getTime() + 300_000)).toBe(true);
  });

  it('Slack installations are saved, replaced, read and deleted by key', async () => {
    expect(await store.getInstallation('T1')).toBeNull();
    await store.saveInstallation('T1', 'v1:cipher-one');
    await store.saveInstallation('T2', 'v1:cipher-two');
    await store.saveInstallation('T1', 'v1:cipher-one-b');
    expect(await store.getInstallation('T1')).toBe('v1:cipher-one-b');
    expect(await (await open()).getInstallation('T2')).toBe('v1:cipher-two');
    expect(await store.deleteInstallation('T1')).toBe(true);
    expect(await store.deleteInstallation('T1')).toBe(false);
    expect(await store.getInstallation('T1')).toBeNull();
  });
});

describe('PostgreSQL migrations', () => {
  it('four instances opening an empty database at once migrate it exactly once (pg_advisory_xact_lock)', async () => {
    const url = await createDatabase(inject('pgUrl'));
    const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(url)));
    try {
      for (const s of stores) expect((await s.migrations()).map((m) => m.version)).toEqual([1, 2]);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('an unreachable server, or a read-only one, is one clear StoreError without the password', async () => {
    await expect(openStore('postgres://memwall:s3cret@127.0.0.1:1/memwall')).rejects.toThrow(/^cannot reach PostgreSQL at postgres:\/\/memwall:\*\*\*@127\.0\.0\.1:1\/memwall \(ECONNREFUSED\)/);
    await expect(openStore('postgres://memwall:s3cret@127.0.0.1:1/memwall')).rejects.not.toThrow(/s3cret/);
    const url = await createDatabase(inject('pgUrl'));
    const ro = new URL(url);
    ro.searchParams.set('options', '-c default_transaction_read_only=on');
    await expect(openStore(ro.toString())).rejects.toThrow(/is read-only .* point DATABASE_URL at the primary, writable server/);
  });
});
