// The scheduler end to end: store + lastFire + posters over loopback HTTP (fakes that record requests), with fake
// timers for the node-cron task, Retry-After waits and pacing. No assertion is about real elapsed time.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { discordPoster, localPoster, slackPoster } from '../src/digest/posters.ts';
import { createScheduler, type SchedulerOptions, type TickReport } from '../src/digest/scheduler.ts';
import { openStore } from '../src/digest/store.ts';
import type { NewSubscription } from '../src/digest/types.ts';
import type { ChildArgs } from './helpers/digest-child.ts';
import {
  discordPayload, drive, FAKE_PNG, realDelay, recordingPlayground, startFakeDiscordRest, startFakeSlackApi, testBuild, until,
  type FakeDiscordRest, type FakeSlackApi,
} from './helpers/digest-fakes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./helpers/digest-child.ts', import.meta.url));

const sub = (channelId: string, extra: Partial<NewSubscription> = {}): NewSubscription => ({
  platform: 'discord', workspaceId: 'G1', channelId, cron: '0 9 * * *', scheduleLabel: 'daily', timezone: 'UTC', model: 'llama-3.1-70b', ...extra,
});
const ids = (r: TickReport, k: 'posted' | 'skipped' | 'paused' | 'failed') => r[k].map((e) => e.channelId).sort();

let discord: FakeDiscordRest;
let slack: FakeSlackApi;
beforeAll(async () => { discord = await startFakeDiscordRest(); slack = await startFakeSlackApi(); });
afterAll(async () => { await discord.close(); await slack.close(); });
afterEach(() => { vi.useRealTimers(); });

/** a store and scheduler on an injected clock (`clock.t`), posting to the fakes */
async function world(opts: Partial<SchedulerOptions> = {}, start = '2026-03-01T08:00:00.000Z') {
  const clock = { t: new Date(start) };
  const now = () => clock.t;
  const store = await openStore(':memory:', { now });
  const logs: string[] = [];
  const { build, calls } = testBuild();
  const scheduler = createScheduler({
    store,
    posters: {
      discord: discordPoster({ token: 'bot-token', apiBase: discord.apiBase }),
      slack: slackPoster({ token: 'xoxb-test', apiUrl: slack.apiUrl, log: (l) => logs.push(l) }),
    },
    build,
    now,
    log: (l) => logs.push(l),
    paceMs: 0,
    ...opts,
  });
  const at = (iso: string) => { clock.t = new Date(iso); };
  return { store, scheduler, clock, at, logs, calls, tickAt: (iso: string) => { at(iso); return scheduler.tick(); } };
}

/** one scheduler tick in a process of its own (test/helpers/digest-child.ts); resolves with its TickReport */
function child(args: ChildArgs): Promise<TickReport> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err}`));
      try { resolve(JSON.parse(out)); } catch { reject(new Error(`child printed no report: ${out} ${err}`)); }
    });
  });
}

describe('when a subscription fires', () => {
  it('weekly Monday 09:00 Europe/London: the node-cron task posts at 08:00Z in summer, 09:00Z in winter', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-01T07:59:30Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    for (const [start, expected, wrong] of [
      ['2026-06-01T07:59:30Z', '2026-06-01T08:00:00.000Z', null], // BST
      ['2026-01-05T07:59:30Z', '2026-01-05T09:00:00.000Z', '2026-01-05T08:00:00.000Z'], // GMT: nothing at 08:00Z
    ] as const) {
      vi.setSystemTime(new Date(start));
      const store = await openStore(':memory:');
      await store.subscribe(sub('local-digests', { platform: 'local', workspaceId: null, cron: '0 9 * * 1', scheduleLabel: 'weekly', timezone: 'Europe/London' }));
      const pg = recordingPlayground();
      const scheduler = createScheduler({ store, posters: { local: localPoster(pg) }, build: testBuild().build, log: () => undefined });
      scheduler.start();
      await vi.advanceTimersByTimeAsync(29_000); // 07:59:59
      expect(pg.posted).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(2_000); // 08:00:01
      if (wrong) {
        expect(pg.posted).toHaveLength(0);
        await vi.advanceTimersByTimeAsync(60 * 60_000); // 09:00:01
      }
      expect(pg.posted.map((p) => new Date(p.at).toISOString())).toEqual([expected]);
      expect((await store.get('local', 'local-digests'))?.lastSlot).toBe(expected);
      await vi.advanceTimersByTimeAsync(10 * 60_000); // ten more minutes of ticks: nothing more
      expect(pg.posted).toHaveLength(1);
      await scheduler.stop();
      await vi.advanceTimersByTimeAsync(7 * 24 * 60 * 60_000 + 60_000); // a week later, stopped: nothing
      expect(pg.posted).toHaveLength(1);
      await store.close();
    }
  });

  it('daily 09:00 Europe/London across spring-forward (Sun 2026-03-29): 09:00Z, then 08:00Z', async () => {
    const w = await world({}, '2026-03-27T12:00:00.000Z');
    await w.store.subscribe(sub('ldn', { timezone: 'Europe/London' }));
    expect(ids(await w.tickAt('2026-03-28T08:59:00Z'), 'posted')).toEqual([]);
    expect(ids(await w.tickAt('2026-03-28T09:00:00Z'), 'posted')).toEqual(['ldn']);
    expect(ids(await w.tickAt('2026-03-29T07:59:00Z'), 'posted')).toEqual([]);
    expect(ids(await w.tickAt('2026-03-29T08:00:00Z'), 'posted')).toEqual(['ldn']);
    expect(ids(await w.tickAt('2026-03-30T08:00:30Z'), 'posted')).toEqual(['ldn']);
    const s = (await w.store.get('discord', 'ldn'))!;
    expect((await w.store.posts(s.id)).map((p) => p.slot)).toEqual(['2026-03-28T09:00:00.000Z', '2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z']);
    expect(discord.posts('ldn')).toHaveLength(3);
    await w.store.close();
  });

  it('daily 02:30 America/New_York on the spring-forward day (02:30 does not exist) posts at 03:30 EDT, not never', async () => {
    const w = await world({}, '2026-03-07T12:00:00.000Z');
    await w.store.subscribe(sub('nyc', { cron: '30 2 * * *', timezone: 'America/New_York' }));
    expect(ids(await w.tickAt('2026-03-08T07:29:00Z'), 'posted')).toEqual([]);
    const r = await w.tickAt('2026-03-08T07:30:00Z');
    expect(r.posted).toEqual([expect.objectContaining({ channelId: 'nyc', slot: '2026-03-08T07:30:00.000Z' })]);
    await w.store.close();
  });

  it('a slot from before the subscription existed is not posted', async () => {
    const w = await world({}, '2026-03-02T09:30:00.000Z'); // a Monday, half an hour after the 09:00 slot
    await w.store.subscribe(sub('late', { cron: '0 9 * * 1' }));
    const r = await w.tickAt('2026-03-02T09:31:00Z');
    expect(r.skipped).toEqual([expect.objectContaining({ channelId: 'late', reason: 'slot is from before the subscription' })]);
    expect(ids(await w.tickAt('2026-03-09T09:00:00Z'), 'posted')).toEqual(['late']);
    await w.store.close();
  });
});

describe('restarts and downtime', () => {
  it('three days of downtime on a daily schedule → exactly one catch-up post, for the latest slot', async () => {
    const w = await world({}, '2026-03-01T08:00:00.000Z');
    await w.store.subscribe(sub('down'));
    expect(ids(await w.tickAt('2026-03-01T09:00:10Z'), 'posted')).toEqual(['down']);
    // down from 09:01 on the 1st until noon on the 4th: slots of the 2nd, 3rd and 4th were missed
    const r = await w.tickAt('2026-03-04T12:00:00Z');
    expect(r.posted).toEqual([expect.objectContaining({ channelId: 'down', slot: '2026-03-04T09:00:00.000Z' })]);
    expect(ids(await w.tickAt('2026-03-04T12:01:00Z'), 'posted')).toEqual([]);
    expect(discord.posts('down')).toHaveLength(2);
    expect(w.calls).toHaveLength(2);
    await w.store.close();
  });

  describe('separate processes on one database file', () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'memwall-sched-')); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('a restart (new process, same file) within the slot does not post again', async () => {
      const db = join(dir, 'memwall.db');
      const store = await openStore(db, { now: () => new Date('2026-03-02T08:30:00Z') });
      await store.subscribe(sub('restart'));
      await store.close();

      const first = await child({ db, apiBase: discord.apiBase, now: '2026-03-02T09:00:05Z' });
      expect(ids(first, 'posted')).toEqual(['restart']);
      const second = await child({ db, apiBase: discord.apiBase, now: '2026-03-02T09:00:50Z' });
      expect(ids(second, 'posted')).toEqual([]);
      expect(discord.posts('restart')).toHaveLength(1);

      const after = await openStore(db);
      const s = (await after.get('discord', 'restart'))!;
      expect(s).toMatchObject({ postCount: 1, lastSlot: '2026-03-02T09:00:00.000Z', nextRunAt: '2026-03-03T09:00:00.000Z' });
      expect(await after.posts(s.id)).toEqual([expect.objectContaining({ slot: '2026-03-02T09:00:00.000Z', state: 'posted' })]);
      await after.close();
    });

    it('two processes on the same slot at once: one posts, the other leaves it alone', async () => {
      const db = join(dir, 'memwall.db');
      const store = await openStore(db, { now: () => new Date('2026-03-02T08:30:00Z') });
      await store.subscribe(sub('twice'));
      await store.close();
      discord.script('twice', { status: 200, body: { id: '1', channel_id: 'twice' }, delayMs: 1500 }); // hold the first post open
      const a = child({ db, apiBase: discord.apiBase, now: '2026-03-02T09:00:05Z' });
      await until(() => discord.posts('twice').length === 1, 'the first process to post');
      const b = await child({ db, apiBase: discord.apiBase, now: '2026-03-02T09:00:06Z' });
      expect(ids(b, 'posted')).toEqual([]);
      expect(ids(await a, 'posted')).toEqual(['twice']);
      expect(discord.posts('twice')).toHaveLength(1);
    });
  });
});

describe('failures', () => {
  it('Discord 429 with Retry-After: @discordjs/rest waits it out and retries; one post, no second message (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const w = await world({}, '2026-03-02T08:00:00.000Z');
    await w.store.subscribe(sub('busy'));
    discord.script('busy', { status: 429, body: { message: 'You are being rate limited.', retry_after: 3, global: false }, headers: { 'retry-after': '3' } });
    w.at('2026-03-02T09:00:00Z');
    const ticking = w.scheduler.tick();
    await until(() => discord.posts('busy').length === 1, 'the first attempt');
    await realDelay(50);
    await vi.advanceTimersByTimeAsync(2_999);
    await realDelay(100); // room for a premature retry to arrive, were one sent
    expect(discord.posts('busy')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100); // past Retry-After (+ the library's 50 ms offset)
    await until(() => discord.posts('busy').length === 2, 'the retry');
    const r = await ticking;
    expect(r.posted).toEqual([expect.objectContaining({ channelId: 'busy', attempts: 1 })]);
    expect(discord.created('busy')).toHaveLength(1);
    expect((await w.store.get('discord', 'busy'))?.lastSlot).toBe('2026-03-02T09:00:00.000Z');
    await w.store.close();
  });

  it('Slack 429 with Retry-After, then success: exactly 2 requests, the second only after the wait (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const w = await world({}, '2026-03-02T08:00:00.000Z');
    await w.store.subscribe(sub('C_BUSY', { platform: 'slack', workspaceId: 'T1' }));
    slack.script('chat.postMessage', { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '3' } });
    w.at('2026-03-02T09:00:00Z');
    const ticking = w.scheduler.tick();
    const posts = () => slack.api('chat.postMessage').filter((r) => r.form?.channel === 'C_BUSY' || r.form === undefined);
    await until(() => posts().length === 1, 'the first attempt');
    await until(() => w.logs.some((l) => /C_BUSY.*retrying in 3000 ms/.test(l)), 'the scheduler to start waiting');
    await vi.advanceTimersByTimeAsync(2_999);
    await realDelay(100);
    expect(posts()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => posts().length === 2, 'the retry');
    const r = await ticking;
    expect(r.posted).toEqual([expect.objectContaining({ channelId: 'C_BUSY', attempts: 2 })]);
    await w.store.close();
  });

  it('still rate-limited after maxRetries: the slot is released, and posted once the wait is over', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const w = await world({ maxRetries: 1 }, '2026-03-02T08:00:00.000Z');
    const s = await w.store.subscribe(sub('C_SLOW', { platform: 'slack', workspaceId: 'T1' }));
    const limited = { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' } };
    slack.script('chat.postMessage', limited, limited);
    w.at('2026-03-02T09:00:00Z');
    const r1 = await drive(w.scheduler.tick(), 250);
    expect(r1.failed).toEqual([expect.objectContaining({ channelId: 'C_SLOW', attempts: 2, reason: expect.stringMatching(/rate limited.*retry next tick/) })]);
    expect(await w.store.posts(s.id)).toEqual([expect.objectContaining({ state: 'released', attempts: 1 })]);
    const r2 = await drive(w.tickAt('2026-03-02T09:01:00Z'), 250);
    expect(ids(r2, 'posted')).toEqual(['C_SLOW']);
    expect(await w.store.posts(s.id)).toEqual([expect.objectContaining({ state: 'posted', attempts: 2 })]);
    await w.store.close();
  });

  it('a 404 channel pauses only that subscription; another channel still gets its post', async () => {
    const w = await world({}, '2026-03-01T08:00:00.000Z');
    await w.store.subscribe(sub('dead'));
    await w.store.subscribe(sub('alive'));
    discord.gone.add('dead');
    const r = await w.tickAt('2026-03-02T09:00:00Z');
    expect(ids(r, 'posted')).toEqual(['alive']);
    expect(ids(r, 'paused')).toEqual(['dead']);
    const reason = 'channel not found (Discord 404 10003 Unknown Channel) on 2026-03-02 — re-run /digest subscribe there to resume';
    expect(r.paused[0].reason).toBe(reason);
    expect((await w.store.get('discord', 'dead'))?.pausedReason).toBe(reason);
    expect((await w.store.get('discord', 'alive'))?.pausedReason).toBeNull();

    // the next day: the paused one is left alone, the other posts
    const before = discord.posts('dead').length;
    const r2 = await w.tickAt('2026-03-03T09:00:00Z');
    expect(ids(r2, 'posted')).toEqual(['alive']);
    expect(r2.skipped).toEqual([]); // a paused subscription is never due
    expect(discord.posts('dead')).toHaveLength(before);

    // re-subscribing clears the pause; it posts from the next slot on
    discord.gone.delete('dead');
    w.at('2026-03-03T10:00:00Z');
    await w.store.subscribe(sub('dead'));
    expect(ids(await w.tickAt('2026-03-03T10:01:00Z'), 'posted')).toEqual([]);
    expect(ids(await w.tickAt('2026-03-04T09:00:00Z'), 'posted')).toEqual(['alive', 'dead']);
    await w.store.close();
  });

  it('Slack not_in_channel pauses with a reason; the other Slack channel posts', async () => {
    const w = await world({}, '2026-03-01T08:00:00.000Z');
    await w.store.subscribe(sub('C_OUT', { platform: 'slack', workspaceId: 'T1' }));
    await w.store.subscribe(sub('C_IN', { platform: 'slack', workspaceId: 'T1' }));
    slack.channelErrors.set('C_OUT', 'not_in_channel');
    const r = await w.tickAt('2026-03-02T09:00:00Z');
    expect(ids(r, 'posted')).toEqual(['C_IN']);
    expect(ids(r, 'paused')).toEqual(['C_OUT']);
    expect((await w.store.get('slack', 'C_OUT'))?.pausedReason).toMatch(/^the bot is not in this channel \(Slack not_in_channel\).* on 2026-03-02 — re-run \/digest subscribe there to resume$/);
    await w.store.close();
  });

  it('a server error or a failing build is logged and retried next tick; it does not stop the others', async () => {
    const w = await world({}, '2026-03-01T08:00:00.000Z');
    await w.store.subscribe(sub('flaky'));
    await w.store.subscribe(sub('fine'));
    await w.store.subscribe(sub('nobuild'));
    // @discordjs/rest retries a 5xx three times itself; the fourth one reaches the scheduler
    const bad = { status: 502, body: { message: 'Bad Gateway' } };
    discord.script('flaky', bad, bad, bad, bad);
    const build = testBuild();
    let buildFails = true;
    const scheduler = createScheduler({
      store: w.store, posters: { discord: discordPoster({ token: 't', apiBase: discord.apiBase }) }, now: () => w.clock.t, log: (l) => w.logs.push(l), paceMs: 0,
      build: async (s, now) => { if (s.channelId === 'nobuild' && buildFails) throw new Error('catalog unavailable'); return build.build(s, now); },
    });
    w.at('2026-03-02T09:00:00Z');
    const r = await scheduler.tick();
    expect(ids(r, 'posted')).toEqual(['fine']);
    expect(ids(r, 'failed')).toEqual(['flaky', 'nobuild']);
    expect(r.failed.find((e) => e.channelId === 'nobuild')?.reason).toMatch(/building the digest failed: catalog unavailable/);
    expect(w.logs.some((l) => /flaky.*502/.test(l))).toBe(true);
    buildFails = false;
    w.at('2026-03-02T09:01:00Z');
    const r2 = await scheduler.tick();
    expect(ids(r2, 'posted')).toEqual(['flaky', 'nobuild']);
    expect(discord.posts('fine')).toHaveLength(1);
    await w.store.close();
  });

  it('no poster for a platform, or a paused subscription: not taken, nothing claimed', async () => {
    const w = await world({}, '2026-03-01T08:00:00.000Z');
    const l = await w.store.subscribe(sub('local-x', { platform: 'local', workspaceId: null }));
    const p = await w.store.subscribe(sub('paused-x'));
    await w.store.pause(p.id, 'by hand');
    const r = await w.tickAt('2026-03-02T09:00:00Z');
    expect([r.posted, r.skipped, r.failed, r.paused, r.gaveUp]).toEqual([[], [], [], [], []]);
    expect(await w.store.posts(l.id)).toEqual([]);
    expect(await w.store.posts(p.id)).toEqual([]);
    expect((await w.store.getById(l.id))?.nextRunAt).toBe('2026-03-01T08:00:00.000Z'); // left for an instance that can post it
    await w.store.close();
  });

  it('a slot that keeps failing is given up after maxAttempts, recorded as skipped with the reason, and shown by /digest status', async () => {
    const w = await world({ maxAttempts: 3 }, '2026-03-01T08:00:00.000Z');
    const s = await w.store.subscribe(sub('broken', { cron: '0 9 * * 1' }));
    for (let i = 0; i < 4; i++) discord.script('broken', { status: 500, body: { message: 'Internal Server Error' } }, { status: 500, body: {} }, { status: 500, body: {} }, { status: 500, body: {} });
    const at = ['2026-03-02T09:00:00Z', '2026-03-02T09:01:00Z', '2026-03-02T09:03:00Z', '2026-03-02T09:07:00Z'];
    const reports = [];
    for (const t of at) reports.push(await w.tickAt(t));
    expect(reports.slice(0, 3).map((r) => ids(r, 'failed'))).toEqual([['broken'], ['broken'], ['broken']]);
    expect(reports[3].gaveUp).toEqual([expect.objectContaining({ channelId: 'broken', slot: '2026-03-02T09:00:00.000Z', reason: expect.stringMatching(/^gave up after 3 attempts \(last error: Discord answered 500/) })]);
    expect(await w.store.posts(s.id)).toEqual([expect.objectContaining({ state: 'skipped', attempts: 4, error: expect.stringMatching(/^gave up after 3 attempts/) })]);
    expect(w.logs.some((l) => /broken.*skipped slot 2026-03-02T09:00:00.000Z for good: gave up after 3 attempts/.test(l))).toBe(true);
    // next week's slot is a fresh start
    expect((await w.store.getById(s.id))?.nextRunAt).toBe('2026-03-09T09:00:00.000Z');
    const { DigestService } = await import('../src/digest/service.ts');
    const { catalog } = await import('../src/catalog/load.ts');
    const { runCommand } = await import('../src/platforms/dispatch.ts');
    const reply = await runCommand('digest', { subcommand: 'status' }, { catalog: catalog(), channel: { platform: 'discord', id: 'broken', guildId: 'G1' }, digest: new DigestService(w.store, catalog(), () => w.clock.t) });
    expect(reply.fields).toContainEqual(expect.objectContaining({ name: 'Skipped', value: expect.stringMatching(/Mon, 2 Mar 2026.*: gave up after 3 attempts \(last error: Discord answered 500/) }));
    await w.store.close();
  });
});

describe('charts and pacing', () => {
  it('the chart goes with the post; a chart that does not render is left out, the post still goes', async () => {
    for (const [channel, render, withFile] of [
      ['chart-ok', async () => FAKE_PNG, true],
      ['chart-null', async () => null, false],
      ['chart-throws', async () => { throw new Error('resvg exploded'); }, false],
    ] as const) {
      const w = await world({ renderChart: render, build: testBuild({ chart: true }).build }, '2026-03-01T08:00:00.000Z');
      await w.store.subscribe(sub(channel));
      const r = await w.tickAt('2026-03-02T09:00:00Z');
      expect(ids(r, 'posted'), channel).toEqual([channel]);
      const [req] = discord.posts(channel);
      const file = req.parts?.find((p) => p.name === 'files[0]');
      expect(Boolean(file), channel).toBe(withFile);
      if (file) expect(file.data.equals(FAKE_PNG)).toBe(true);
      expect(discordPayload(req).embeds[0].image !== undefined, channel).toBe(withFile);
      if (!withFile) expect(w.logs.some((l) => l.includes(`${channel} (#`) && /chart did not render/.test(l)), channel).toBe(true);
      await w.store.close();
    }
  });

  it('posts to several channels are paced: ≥ paceMs apart in fake time', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-02T08:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = await openStore(':memory:');
    for (const c of ['pace-1', 'pace-2', 'pace-3']) await store.subscribe(sub(c));
    const scheduler = createScheduler({
      store, posters: { discord: discordPoster({ token: 't', apiBase: discord.apiBase }) }, build: testBuild().build, log: () => undefined, paceMs: 30_000,
    });
    vi.setSystemTime(new Date('2026-03-02T09:00:00Z'));
    const r = await drive(scheduler.tick(), 1_000);
    expect(ids(r, 'posted')).toEqual(['pace-1', 'pace-2', 'pace-3']);
    const times = ['pace-1', 'pace-2', 'pace-3'].map((c) => discord.posts(c)[0].at);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(30_000);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(30_000);
    await store.close();
  });
});
