// Several instances on one PostgreSQL (issue 9): 3 scheduler processes, 200 subscriptions due every minute (150 on
// Discord, 50 on Slack), 5 minute-slots, one instance killed with SIGKILL in the middle of the third minute. Every
// (subscription, slot) must be posted exactly once, as recorded by the loopback fakes. Then all instances are down for
// 5 minutes; on restart each subscription gets exactly one catch-up digest. Each child runs on an injected clock
// (it ticks when told "tick <iso>"), so the test takes seconds, not minutes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { digestNonce } from '../src/digest/posters.ts';
import type { TickReport } from '../src/digest/scheduler.ts';
import { openStore, type Store } from '../src/digest/store.ts';
import type { ChildArgs } from './helpers/digest-child.ts';
import { discordPayload, startFakeDiscordRest, startFakeSlackApi, until, type FakeDiscordRest, type FakeSlackApi } from './helpers/digest-fakes.ts';
import { createDatabase } from './helpers/pg-server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./helpers/digest-child.ts', import.meta.url));
const LEASE_MS = 20_000;
const BATCH = 10;
const N_DISCORD = 150, N_SLACK = 50;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

interface Instance { name: string; proc: ChildProcess; tick(iso: string): Promise<TickReport>; exit(): Promise<void> }

const live = new Set<ChildProcess>();
async function instance(name: string, db: string, discord: FakeDiscordRest, slack: FakeSlackApi): Promise<Instance> {
  const args: ChildArgs = { db, apiBase: discord.apiBase, slackApiUrl: slack.apiUrl, now: at(0), serve: true, leaseMs: LEASE_MS, instanceId: name, batch: BATCH };
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(proc);
  proc.on('close', () => live.delete(proc));
  let err = '';
  proc.stderr!.on('data', (d) => { err += d; if (err.length > 200_000) err = err.slice(-100_000); });
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve, reject) => {
    waiting.push(resolve);
    proc.once('close', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}): ${err.slice(-2000)}`)));
  });
  const ready = await next();
  if (ready !== 'READY') throw new Error(`${name}: ${ready}`);
  return {
    name,
    proc,
    async tick(iso) {
      const line = next();
      proc.stdin!.write(`tick ${iso}\n`);
      const l = await line;
      if (!l.startsWith('REPORT ')) throw new Error(`${name}: ${l}`);
      return JSON.parse(l.slice(7)) as TickReport;
    },
    async exit() {
      const closed = new Promise((r) => proc.once('close', r));
      proc.stdin!.write('exit\n');
      await closed;
    },
  };
}

describe('3 instances on one PostgreSQL', () => {
  let discord: FakeDiscordRest;
  let slack: FakeSlackApi;
  let db: string;
  let store: Store;
  const subs: { id: number; platform: 'discord' | 'slack'; channelId: string }[] = [];

  beforeAll(async () => {
    discord = await startFakeDiscordRest();
    slack = await startFakeSlackApi();
    db = await createDatabase(inject('pgUrl'));
    store = await openStore(db, { now: () => new Date(at(-30_000)) });
    for (let i = 0; i < N_DISCORD + N_SLACK; i++) {
      const platform = i < N_DISCORD ? 'discord' : 'slack';
      const channelId = platform === 'discord' ? `9000000000000${String(i).padStart(5, '0')}` : `C${String(i).padStart(6, '0')}`;
      const s = await store.subscribe({ platform, workspaceId: platform === 'slack' ? 'T1' : 'G1', channelId, cron: '* * * * *', scheduleLabel: 'every minute', timezone: 'UTC', model: 'llama-3.1-70b' });
      subs.push({ id: s.id, platform, channelId });
    }
  });
  afterAll(async () => {
    for (const p of live) p.kill('SIGKILL');
    await store?.close();
    await discord?.close();
    await slack?.close();
  });

  /** (subscription, slot) pairs the fakes hold a message for, and how many messages each */
  function delivered(): Map<string, number> {
    const n = new Map<string, number>();
    const byNonce = new Map<string, string>();
    for (const s of subs.filter((x) => x.platform === 'discord')) {
      for (let m = -1; m < 20; m++) byNonce.set(digestNonce({ subscriptionId: s.id, slot: at(m * 60_000) }, s.channelId), `${s.id}|${at(m * 60_000)}`);
    }
    for (const c of discord.created()) {
      const key = byNonce.get(c.nonce ?? '') ?? `unknown nonce ${c.nonce}`;
      n.set(key, (n.get(key) ?? 0) + 1);
    }
    for (const s of subs.filter((x) => x.platform === 'slack')) {
      for (const m of slack.messages(s.channelId)) {
        const p = m.metadata?.event_payload;
        const key = `${p?.subscription_id}|${p?.slot}`;
        n.set(key, (n.get(key) ?? 0) + 1);
      }
    }
    return n;
  }

  it('every (subscription, slot) is posted exactly once across 5 minute-slots, with one instance killed mid-run; then one catch-up after 5 minutes down', async () => {
    let instances = await Promise.all(['i1', 'i2', 'i3'].map((n) => instance(n, db, discord, slack)));
    let killedTook = 0;
    for (let m = 0; m < 5; m++) {
      const start = at(m * 60_000 + 1_000);
      if (m === 2) {
        // minute 2: posts are slow to answer, and instance i3 dies in the middle of its share
        for (const s of subs) (s.platform === 'discord' ? discord : slack).slowCreate.set(s.channelId, 40);
        const victim = instances[2];
        const before = discord.requests.length + slack.requests.length;
        const ticks = instances.map((i) => i.tick(start).catch(() => null));
        await until(() => discord.requests.length + slack.requests.length - before > 60, 'minute 2 to be under way', 30_000);
        // kill it while it holds a claim of this minute, so it dies in the middle of its share and not between two of
        // its batches (then it would leave nothing behind, and the takeover below would have nothing to take)
        const slot2 = at(2 * 60_000);
        const holdsClaim = async () => (await Promise.all(subs.map((s) => store.posts(s.id))))
          .some((ps) => ps.some((p) => p.slot === slot2 && p.state === 'claimed' && p.claimedBy === victim.name));
        const deadline = performance.now() + 30_000;
        while (!(await holdsClaim())) if (performance.now() > deadline) throw new Error('timed out waiting for the victim to hold a claim');
        victim.proc.kill('SIGKILL');
        const reports = await Promise.all(ticks);
        expect(reports[2]).toBeNull(); // it never reported
        killedTook = 1;
        instances = instances.slice(0, 2);
        for (const s of subs) (s.platform === 'discord' ? discord : slack).slowCreate.delete(s.channelId);
      } else {
        await Promise.all(instances.map((i) => i.tick(start)));
      }
      // later in the same minute, after the lease: what a dead instance held is taken over
      const later = await Promise.all(instances.map((i) => i.tick(at(m * 60_000 + LEASE_MS + 5_000))));
      const n = later.reduce((k, r) => k + r.posted.length, 0);
      if (m === 2) expect(n, 'slots the killed instance held, taken over after its lease').toBeGreaterThan(0);
      else expect(n).toBe(0);
    }
    expect(killedTook).toBe(1);

    let got = delivered();
    for (const s of subs) for (let m = 0; m < 5; m++) expect(got.get(`${s.id}|${at(m * 60_000)}`), `${s.channelId} slot ${m}`).toBe(1);
    expect([...got.values()].reduce((a, b) => a + b, 0)).toBe(200 * 5);
    // the dedupe did work only for the posts the killed instance had in flight (at most one batch)
    const nonceRepeats = discord.requests.filter((r) => r.method === 'POST').length - discord.created().length;
    expect(nonceRepeats).toBeLessThanOrEqual(BATCH);
    const slackChecks = slack.api('conversations.history').length;
    expect(slackChecks).toBeLessThanOrEqual(BATCH);

    // all instances down for 5 minutes (slots 09:05–09:09 pass unposted), then three fresh ones at 09:10:01
    await Promise.all(instances.map((i) => i.exit()));
    instances = await Promise.all(['j1', 'j2', 'j3'].map((n) => instance(n, db, discord, slack)));
    const reports = await Promise.all(instances.map((i) => i.tick(at(10 * 60_000 + 1_000))));
    expect(reports.flatMap((r) => r.posted).length).toBe(200);
    expect(reports.filter((r) => r.posted.length > 0).length).toBeGreaterThan(1); // shared out, not one instance doing all
    await Promise.all(instances.map((i) => i.tick(at(10 * 60_000 + 30_000))));
    got = delivered();
    for (const s of subs) {
      expect(got.get(`${s.id}|${at(10 * 60_000)}`), `${s.channelId} catch-up`).toBe(1);
      for (let m = 5; m < 10; m++) expect(got.get(`${s.id}|${at(m * 60_000)}`)).toBeUndefined();
    }
    expect([...got.values()].reduce((a, b) => a + b, 0)).toBe(200 * 6);
    await Promise.all(instances.map((i) => i.exit()));

    // nothing is left claimed, and each subscription counts 6 posts
    for (const s of subs) {
      const posts = await store.posts(s.id);
      expect(posts.filter((p) => p.state !== 'posted')).toEqual([]);
      expect((await store.getById(s.id))?.postCount).toBe(6);
    }
    expect(discordPayload(discord.requests.find((r) => r.method === 'POST')!).enforce_nonce).toBe(true);
  }, 180_000);
});
