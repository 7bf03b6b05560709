// The digest scheduler: one node-cron task wakes every minute and posts every subscription whose latest scheduled
// slot has not been posted yet. Any number of instances can run it against one store.
//
// - Each tick takes due subscriptions from the store in small batches (next_run_at ≤ now; on PostgreSQL with
//   SELECT … FOR UPDATE SKIP LOCKED, so instances take disjoint sets) and pushes their next run one lease ahead.
// - The slot of a subscription at instant T is lastFire(cron, timezone, T). It is due when it is after the moment the
//   subscription (re)started and after the last slot posted — so after downtime only the latest missed slot is
//   posted (one catch-up, never a burst); older slots left unposted are recorded as skipped, with the reason.
// - A slot is claimed in the store before anything is built, for a short lease that a heartbeat renews while the
//   owner works. An owner that dies leaves a claim that runs out within the lease; the next tick after it takes it over
//   as a later attempt. A later attempt asks the platform first (Slack: the message metadata in channel history) or
//   posts with the platform's own dedupe (Discord: nonce + enforce_nonce), so a post that got through before the crash
//   is recorded, not repeated.
// - Failures stay with their subscription: 429 → wait Retry-After and retry (up to maxRetries, then release the slot
//   for later); channel gone / bot not allowed → pause with a reason; anything else → release with a growing backoff;
//   after maxAttempts claims the slot is skipped for good, with the reason. Posts to different channels are paced.
//
// The one case no platform tool closes: the platform accepted a post, then the process died before recording it, and
// the retry comes after the platform's dedupe window (Discord checks nonces for "a few minutes"; the Slack check reads
// recent history and fails if the history call itself fails). The short lease keeps retries well inside the window.
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { lastFire, localDate, nextFire } from './schedule.ts';
import type { ChartRenderer, DigestLog, Scheduler, SchedulerOptions, TickEntry, TickReport } from './scheduler-types.ts';
import { CLAIM_LEASE_MS, HEARTBEAT_MS, type StoredSubscription } from './store.ts';
import { PostError, type Digest, type Platform, type PostMeta, type Poster, type Subscription } from './types.ts';

export type { ChartRenderer, DigestLog, Scheduler, SchedulerOptions, TickEntry, TickReport } from './scheduler-types.ts';

const BACKOFF_MAX_MIN = 60;
const iso = (ms: number) => new Date(ms).toISOString();

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { store } = opts;
  const now = opts.now ?? (() => new Date());
  const log: DigestLog = opts.log ?? ((line: string) => console.log(`digest: ${line}`));
  const paceMs = opts.paceMs ?? 1100;
  const maxRetries = opts.maxRetries ?? 3;
  const maxRetryWaitMs = opts.maxRetryWaitMs ?? 2 * 60_000;
  const leaseMs = opts.leaseMs ?? CLAIM_LEASE_MS;
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const maxAttempts = opts.maxAttempts ?? 6;
  const batch = opts.batch ?? 10;
  const owner = opts.instanceId ?? randomUUID();
  const platforms = (Object.keys(opts.posters) as Platform[]).filter((p) => opts.posters[p]);
  const render: ChartRenderer = opts.renderChart ?? (async (chart) => (await import('../charts/render.ts')).renderChart(chart));
  const outcome = (o: 'posted' | 'failed' | 'paused' | 'skipped', s: Subscription) => { try { opts.onOutcome?.(o, s.platform); } catch { /* metrics never break posting */ } };

  let task: ScheduledTask | null = null;
  let running: Promise<TickReport> | null = null;
  let stopping = false;
  /** resolvers of waits in progress, so stop() can cut them short */
  const waits = new Set<() => void>();
  /** slots posted whose record could not be written: never posted again by this process */
  const unrecorded = new Set<string>();

  /** a wait on the global setTimeout, looked up at call time so fake timers apply */
  function sleep(ms: number): Promise<void> {
    if (stopping || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { waits.delete(done); clearTimeout(timer); resolve(); };
      const timer = setTimeout(done, ms);
      waits.add(done);
    });
  }

  const who = (s: Subscription) => `${s.platform}/${s.channelId} (#${s.id})`;
  const fields = (s: Subscription, slot?: string) => ({ subscription: s.id, platform: s.platform, channel: s.channelId, ...(slot ? { slot } : {}) });
  const entry = (s: Subscription, extra: Partial<TickEntry> = {}): TickEntry => ({ id: s.id, platform: s.platform, channelId: s.channelId, ...extra });
  /** when to look at a subscription again once its slot at `at` is settled */
  const nextRun = (s: Subscription, at: Date) => {
    try { return nextFire(s.cron, s.timezone, at)?.toISOString() ?? iso(at.getTime() + 24 * 3600_000); } catch { return iso(at.getTime() + 3600_000); }
  };

  async function chartFor(digest: Digest, s: Subscription): Promise<Buffer | null> {
    const chart = digest.reply.chart;
    if (!chart) return null;
    try {
      const png = await render(chart);
      if (!png) log(`${who(s)}: the chart did not render; posting without it`, fields(s));
      return png;
    } catch (e) {
      log(`${who(s)}: the chart did not render (${(e as Error).message}); posting without it`, fields(s));
      return null;
    }
  }

  async function run(): Promise<TickReport> {
    const at = now();
    const report: TickReport = { at: at.toISOString(), posted: [], skipped: [], paused: [], failed: [], gaveUp: [] };
    let postedBefore = false;
    while (!stopping && platforms.length) {
      let due: StoredSubscription[];
      try {
        due = await store.takeDue({ now: at.toISOString(), holdUntil: iso(at.getTime() + leaseMs), limit: batch, platforms });
      } catch (e) {
        log(`cannot read subscriptions: ${(e as Error).message}`);
        break;
      }
      if (!due.length) break;
      for (const sub of due) {
        if (stopping) {
          // taken but not started: due again at once, for this instance after a restart or for another one
          await store.setNextRun(sub.id, at.toISOString()).catch(() => undefined);
          report.skipped.push(entry(sub, { reason: 'scheduler stopping' }));
          continue;
        }
        try {
          const wasPosting = await one(sub, at, report, postedBefore);
          postedBefore ||= wasPosting;
        } catch (e) {
          // one() handles its own failures; this is the last line of defence (e.g. the database went away)
          log(`${who(sub)}: ${(e as Error).message}`, fields(sub));
          report.failed.push(entry(sub, { reason: (e as Error).message }));
          outcome('failed', sub);
        }
      }
    }
    const n = (k: keyof Omit<TickReport, 'at'>) => report[k].length;
    if (n('posted') || n('paused') || n('failed') || n('gaveUp')) {
      log(`tick ${report.at}: ${n('posted')} posted, ${n('paused')} paused, ${n('failed')} failed, ${n('gaveUp')} given up, ${n('skipped')} not posted now`, { posted: n('posted'), paused: n('paused'), failed: n('failed'), gaveUp: n('gaveUp') });
    }
    return report;
  }

  /** Handle one due subscription; returns true when it made a post attempt (so the next one is paced). */
  async function one(sub: StoredSubscription, at: Date, report: TickReport, pace: boolean): Promise<boolean> {
    const poster = opts.posters[sub.platform]!;
    const settle = () => store.setNextRun(sub.id, nextRun(sub, at));

    let slotDate: Date | null;
    try {
      slotDate = lastFire(sub.cron, sub.timezone, at);
    } catch (e) {
      await store.setNextRun(sub.id, iso(at.getTime() + 3600_000));
      report.failed.push(entry(sub, { reason: `bad schedule: ${(e as Error).message}` }));
      return false;
    }
    if (!slotDate) { await settle(); report.skipped.push(entry(sub, { reason: 'no slot yet' })); return false; }
    const slot = slotDate.toISOString();
    const since = Date.parse(sub.activeSince ?? sub.createdAt);
    if (!(slotDate.getTime() > since)) { await settle(); report.skipped.push(entry(sub, { slot, reason: 'slot is from before the subscription' })); return false; }
    if (sub.lastSlot && !(slotDate.getTime() > Date.parse(sub.lastSlot))) { await settle(); report.skipped.push(entry(sub, { slot, reason: 'already posted' })); return false; }
    if (unrecorded.has(`${sub.id}|${slot}`)) { report.skipped.push(entry(sub, { slot, reason: 'posted (not recorded yet: database error)' })); return false; }

    for (const old of await store.skipSuperseded(sub.id, slot, at.toISOString())) {
      log(`${who(sub)}: skipped slot ${old}: the later slot ${slot} is due first`, { ...fields(sub, old), skipped: true });
      report.gaveUp.push(entry(sub, { slot: old, reason: `superseded by ${slot}` }));
      outcome('skipped', sub);
    }

    const claim = await store.claimSlot(sub.id, slot, { now: at.toISOString(), owner, leaseUntil: iso(at.getTime() + leaseMs) });
    if (!claim.ok) {
      if (claim.state === 'claimed') {
        report.skipped.push(entry(sub, { slot, reason: 'slot already claimed (being posted by another process)' }));
      } else {
        if (claim.state !== 'no-subscription') await settle();
        report.skipped.push(entry(sub, { slot, reason: claim.state === 'posted' ? 'already posted' : `slot ${claim.state}` }));
      }
      return false;
    }

    // From here on the slot is ours: every path ends in markPosted, releaseSlot, failSlot or skipSlot.
    if (claim.attempt > maxAttempts) {
      const last = (await store.posts(sub.id)).find((p) => p.slot === slot)?.error;
      const reason = `gave up after ${claim.attempt - 1} attempts${last ? ` (last error: ${last})` : ''}`;
      await store.skipSlot(sub.id, slot, reason, at.toISOString());
      await settle();
      log(`${who(sub)}: skipped slot ${slot} for good: ${reason}`, { ...fields(sub, slot), skipped: true, reason });
      report.gaveUp.push(entry(sub, { slot, reason }));
      outcome('skipped', sub);
      return false;
    }

    const beat = heartbeat(sub, slot);
    try {
      return await posting(sub, slot, claim.attempt, poster, at, report, pace);
    } finally {
      beat.stop();
    }
  }

  /** Renew the claim every heartbeatMs while the owner works (a long Retry-After, a slow upload). */
  function heartbeat(sub: Subscription, slot: string): { stop(): void } {
    const timer = setInterval(() => {
      store.heartbeat(sub.id, slot, owner, iso(now().getTime() + leaseMs)).then((mine) => {
        if (!mine) log(`${who(sub)}: lost the claim on slot ${slot} (lease ran out)`, fields(sub, slot));
      }, (e) => log(`${who(sub)}: heartbeat failed: ${(e as Error).message}`, fields(sub, slot)));
    }, heartbeatMs);
    timer.unref?.();
    return { stop: () => clearInterval(timer) };
  }

  async function posting(sub: StoredSubscription, slot: string, attempt: number, poster: Poster, at: Date, report: TickReport, pace: boolean): Promise<boolean> {
    const release = (reason: string, retryAt?: string) => store.releaseSlot(sub.id, slot, reason, retryAt, owner);
    if (pace) await sleep(paceMs);
    if (stopping) { await release('scheduler stopping', at.toISOString()); report.skipped.push(entry(sub, { slot, reason: 'scheduler stopping' })); return false; }

    const meta: PostMeta = { subscriptionId: sub.id, slot, workspaceId: sub.workspaceId, attempt };
    if (attempt > 1 && poster.alreadyPosted) {
      let found = false;
      try {
        found = await poster.alreadyPosted(sub.channelId, meta);
      } catch (e) {
        log(`${who(sub)}: could not check the channel for an earlier post of ${slot} (${(e as Error).message}); posting — a duplicate is possible`, fields(sub, slot));
      }
      if (found) {
        await record(sub, slot, sub.lastSnapshot ?? '', at);
        log(`${who(sub)}: slot ${slot} was already in the channel (an earlier attempt posted it); recorded it`, fields(sub, slot));
        report.posted.push(entry(sub, { slot, attempts: 0, reason: 'found in the channel' }));
        outcome('posted', sub);
        return false;
      }
    }

    let digest: Digest;
    try {
      digest = await opts.build(sub, at);
    } catch (e) {
      const reason = `building the digest failed: ${(e as Error).message}`;
      await release(reason, backoffUntil(sub, at, attempt, reason));
      report.failed.push(entry(sub, { slot, reason, attempts: 0 }));
      outcome('failed', sub);
      return false;
    }
    const png = await chartFor(digest, sub);

    for (let tries = 1; ; tries++) {
      try {
        await poster.post(sub.channelId, digest.reply, png, meta);
      } catch (e) {
        const err = e instanceof PostError ? e : new PostError('other', (e as Error)?.message ?? String(e));
        if (err.failure === 'rate-limited') {
          const wait = err.retryAfterMs ?? 5000;
          if (tries <= maxRetries && wait <= maxRetryWaitMs && !stopping) {
            log(`${who(sub)}: ${err.message}; retrying in ${wait} ms (retry ${tries}/${maxRetries})`, fields(sub, slot));
            await sleep(wait);
            if (!stopping) continue;
          }
          const reason = `${err.message}; gave up after ${tries} attempt(s), will retry next tick`;
          await release(err.message, iso(at.getTime() + Math.max(wait, 1000)));
          log(`${who(sub)}: ${reason}`, fields(sub, slot));
          report.failed.push(entry(sub, { slot, reason, attempts: tries }));
          outcome('failed', sub);
          return true;
        }
        if (err.failure === 'gone' || err.failure === 'forbidden') {
          const reason = `${err.message} on ${localDate(now(), sub.timezone)} — re-run /digest subscribe there to resume`;
          await store.failSlot(sub.id, slot, err.message);
          await store.pause(sub.id, reason);
          log(`${who(sub)}: paused: ${reason}`, fields(sub, slot));
          report.paused.push(entry(sub, { slot, reason, attempts: tries }));
          outcome('paused', sub);
          return true;
        }
        await release(err.message, backoffUntil(sub, at, attempt, err.message));
        report.failed.push(entry(sub, { slot, reason: err.message, attempts: tries }));
        outcome('failed', sub);
        return true;
      }
      await record(sub, slot, digest.snapshot, at);
      log(`${who(sub)}: posted the digest for ${slot}${tries > 1 || attempt > 1 ? ` (attempt ${attempt}, try ${tries})` : ''}`, { ...fields(sub, slot), attempt });
      report.posted.push(entry(sub, { slot, attempts: tries }));
      outcome('posted', sub);
      return true;
    }
  }

  /** Record a post; a database error is retried, then left to the claim's lease (the retry finds the post). */
  async function record(sub: Subscription, slot: string, snapshot: string, at: Date): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        await store.markPosted(sub.id, slot, snapshot, now().toISOString(), nextRun(sub, at));
        return;
      } catch (e) {
        if (i >= 3) {
          unrecorded.add(`${sub.id}|${slot}`);
          log(`${who(sub)}: POSTED slot ${slot} but could not record it: ${(e as Error).message}`, fields(sub, slot));
          return;
        }
        await sleep(200 * i);
      }
    }
  }

  /** release time after a failure: 1, 2, 4 … minutes by attempt (a little under, so that tick is not missed) */
  function backoffUntil(sub: Subscription, at: Date, attempt: number, reason: string): string {
    const minutes = Math.min(2 ** (attempt - 1), BACKOFF_MAX_MIN);
    log(`${who(sub)}: ${reason}; will retry in ${minutes} min`, fields(sub));
    return iso(at.getTime() + minutes * 60_000 - 5_000);
  }

  function tick(): Promise<TickReport> {
    // ticks never overlap: a second caller waits for the one in progress, then runs its own
    const prev = running ?? Promise.resolve(null);
    const next: Promise<TickReport> = prev.then(() => run(), () => run());
    running = next;
    void next.finally(() => { if (running === next) running = null; });
    return next;
  }

  return {
    instanceId: owner,
    start() {
      if (task) return;
      stopping = false;
      task = cron.schedule('* * * * *', async () => {
        if (running) { log('previous tick still running; skipping this minute'); return; }
        await tick();
      }, { name: 'memwall-digests', noOverlap: true });
      void tick();
    },
    tick,
    async stop() {
      stopping = true;
      if (task) {
        const t = task;
        task = null;
        await t.stop();
        await t.destroy();
      }
      for (const done of [...waits]) done();
      await running?.catch(() => undefined);
    },
  };
}
