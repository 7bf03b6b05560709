// Issue 11 items 12–14: a memwall killed with SIGKILL after claiming a slot, while its post is in flight, or after
// the platform accepted the post but before it was recorded. Each run is a real child process (test/helpers/
// digest-child.ts) on a SQLite file with an injected clock, posting to loopback fakes of Discord and Slack. The slot
// must end up posted exactly once — retried promptly after the claim's lease, not after 30 minutes — and no slot may
// stay `claimed`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TickReport } from '../src/digest/scheduler.ts';
import { openStore } from '../src/digest/store.ts';
import type { NewSubscription } from '../src/digest/types.ts';
import type { ChildArgs } from './helpers/digest-child.ts';
import { startFakeDiscordRest, startFakeSlackApi, until, type FakeDiscordRest, type FakeSlackApi } from './helpers/digest-fakes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./helpers/digest-child.ts', import.meta.url));
const LEASE_MS = 20_000;
const SLOT = '2026-03-02T09:00:00.000Z';

let discord: FakeDiscordRest;
let slack: FakeSlackApi;
let dir: string;
const children = new Set<ChildProcess>();
beforeAll(async () => { discord = await startFakeDiscordRest(); slack = await startFakeSlackApi(); });
afterAll(async () => { await discord.close(); await slack.close(); });
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'memwall-crash-')); });
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  rmSync(dir, { recursive: true, force: true });
});

function spawnChild(args: ChildArgs): { proc: ChildProcess; out: () => string; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ leaseMs: LEASE_MS, slackApiUrl: slack.apiUrl, ...args })], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '', err = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { err += d; });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => proc.on('close', (code, signal) => { children.delete(proc); resolve({ code, signal, out, err }); }));
  return { proc, out: () => out, done };
}

async function tickIn(db: string, now: string): Promise<TickReport> {
  const c = spawnChild({ db, apiBase: discord.apiBase, now });
  const r = await c.done;
  if (r.code !== 0) throw new Error(`child exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out) as TickReport;
}

/** one subscription, due at 09:00 on Monday 2026-03-02 */
async function setup(channelId: string, platform: 'discord' | 'slack'): Promise<{ db: string; id: number }> {
  const db = join(dir, 'memwall.db');
  const store = await openStore(db, { now: () => new Date('2026-03-02T08:30:00Z') });
  const s: NewSubscription = { platform, workspaceId: platform === 'slack' ? 'T1' : 'G1', channelId, cron: '0 9 * * *', scheduleLabel: 'daily', timezone: 'UTC', model: 'llama-3.1-70b' };
  const { id } = await store.subscribe(s);
  await store.close();
  return { db, id };
}

async function postsOf(db: string, id: number) {
  const store = await openStore(db);
  try { return { posts: await store.posts(id), sub: await store.getById(id) }; } finally { await store.close(); }
}

/** SIGKILL a child once it reaches `when` (a line it prints, or a condition on the fakes) */
async function killWhen(c: ReturnType<typeof spawnChild>, when: () => boolean, what: string) {
  await until(when, what, 30_000);
  c.proc.kill('SIGKILL');
  const r = await c.done;
  expect(r.signal).toBe('SIGKILL');
}

const slackPosts = (channel: string) => slack.api('chat.postMessage').filter((r) => r.form?.channel === channel);

describe.each(['discord', 'slack'] as const)('SIGKILL on %s', (platform) => {
  const created = (channel: string) => (platform === 'discord' ? discord.created(channel) : slack.messages(channel));

  it('after the claim, before the post: the slot is retried once the lease runs out (not 30 minutes later), and posted once', async () => {
    const ch = `${platform}-after-claim`;
    const { db, id } = await setup(ch, platform);
    const a = spawnChild({ db, apiBase: discord.apiBase, now: '2026-03-02T09:00:05Z', crashAfter: 'claim' });
    await killWhen(a, () => a.out().includes('CRASHPOINT claimed'), 'the claim');
    expect((await postsOf(db, id)).posts).toEqual([expect.objectContaining({ slot: SLOT, state: 'claimed', attempts: 1 })]);
    expect(created(ch)).toHaveLength(0);

    // restarted within the lease: the claim may still be alive, so it is left alone
    const early = await tickIn(db, '2026-03-02T09:00:20Z');
    expect(early.posted).toEqual([]);
    // restarted after the lease (25 s after the claim): taken over and posted
    const late = await tickIn(db, '2026-03-02T09:00:30Z');
    expect(late.posted).toEqual([expect.objectContaining({ channelId: ch, slot: SLOT })]);
    expect(created(ch)).toHaveLength(1);
    const { posts, sub } = await postsOf(db, id);
    expect(posts).toEqual([expect.objectContaining({ slot: SLOT, state: 'posted', attempts: 2 })]);
    expect(sub).toMatchObject({ postCount: 1, lastSlot: SLOT });
  }, 60_000);

  it('during the post (the platform took it, the answer never came back): the retry does not post a second message', async () => {
    const ch = `${platform}-during-post`;
    const { db, id } = await setup(ch, platform);
    (platform === 'discord' ? discord : slack).slowCreate.set(ch, 10_000);
    const a = spawnChild({ db, apiBase: discord.apiBase, now: '2026-03-02T09:00:05Z' });
    await killWhen(a, () => created(ch).length === 1, 'the platform to accept the post');
    (platform === 'discord' ? discord : slack).slowCreate.delete(ch);

    const r = await tickIn(db, '2026-03-02T09:00:30Z');
    expect(r.posted).toEqual([expect.objectContaining({ channelId: ch, slot: SLOT })]);
    expect(created(ch)).toHaveLength(1);
    if (platform === 'discord') {
      // the retry was sent with the same nonce and enforce_nonce; Discord answered with the first message
      const sent = discord.posts(ch).map((p) => JSON.parse(p.parts?.find((x) => x.name === 'payload_json')?.data.toString() ?? JSON.stringify(p.json)));
      expect(sent).toHaveLength(2);
      expect(sent[0].nonce).toBe(sent[1].nonce);
      expect(sent.every((m) => m.enforce_nonce === true)).toBe(true);
    } else {
      // the retry looked in the channel first and found the slot's metadata: no second chat.postMessage
      expect(slackPosts(ch)).toHaveLength(1);
      const h = slack.api('conversations.history').filter((x) => x.form?.channel === ch);
      expect(h).toHaveLength(1);
      expect(h[0].form).toMatchObject({ include_all_metadata: 'true' });
      expect(slack.messages(ch)[0].metadata).toEqual({ event_type: 'memwall_digest_posted', event_payload: { subscription_id: id, slot: SLOT } });
    }
    expect((await postsOf(db, id)).posts).toEqual([expect.objectContaining({ state: 'posted', attempts: 2 })]);
  }, 60_000);

  it('after the post, before it was recorded: posted once, and the slot does not stay `claimed`', async () => {
    const ch = `${platform}-after-post`;
    const { db, id } = await setup(ch, platform);
    const a = spawnChild({ db, apiBase: discord.apiBase, now: '2026-03-02T09:00:05Z', crashAfter: 'post' });
    await killWhen(a, () => a.out().includes('CRASHPOINT posted'), 'the post');
    expect(created(ch)).toHaveLength(1);
    expect((await postsOf(db, id)).posts).toEqual([expect.objectContaining({ state: 'claimed' })]);

    const r = await tickIn(db, '2026-03-02T09:00:30Z');
    expect(r.posted).toEqual([expect.objectContaining({ channelId: ch, slot: SLOT })]);
    expect(created(ch)).toHaveLength(1);
    if (platform === 'slack') expect(slackPosts(ch)).toHaveLength(1);
    const { posts, sub } = await postsOf(db, id);
    expect(posts).toEqual([expect.objectContaining({ slot: SLOT, state: 'posted' })]);
    expect(sub).toMatchObject({ postCount: 1, lastSlot: SLOT });
    // and the next day's slot is an ordinary first attempt
    const next = await tickIn(db, '2026-03-03T09:00:01Z');
    expect(next.posted).toEqual([expect.objectContaining({ slot: '2026-03-03T09:00:00.000Z', attempts: 1 })]);
    expect(created(ch)).toHaveLength(2);
  }, 60_000);
});
