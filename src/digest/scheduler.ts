// The digest scheduler: one node-cron task wakes every minute and posts every subscription whose latest scheduled
// slot has not been posted yet.
//
// - The slot of a subscription at instant T is lastFire(cron, timezone, T). It is due when it is after the moment the
//   subscription (re)started and after the last slot posted — so after downtime only the latest missed slot is
//   posted (one catch-up, never a burst), and a slot from before the subscription existed never is.
// - A slot is claimed in the store before anything is built (INSERT into posts with UNIQUE(subscription, slot)), so a
//   second process, or a restart within the slot, cannot post it again.
// - Failures stay with their subscription: 429 → wait Retry-After and retry (up to maxRetries, then release the slot
//   for the next tick); channel gone / bot not allowed → pause with a reason; anything else → release, back off,
//   log. Posts to different channels are paced.
import cron, { type ScheduledTask } from 'node-cron';
import { lastFire, localDate } from './schedule.ts';
import type { Store, StoredSubscription } from './store.ts';
import { PostError, type Digest, type Platform, type Poster, type Subscription } from './types.ts';

export type ChartRenderer = (chart: { spec: Record<string, unknown>; alt: string }) => Promise<Buffer | null>;

export interface SchedulerOptions {
  store: Store;
  posters: Partial<Record<Platform, Poster>>;
  build: (sub: Subscription, now: Date) => Promise<Digest> | Digest;
  /** default: src/charts/render.ts renderChart (loaded on first use) */
  renderChart?: ChartRenderer;
  now?: () => Date;
  log?: (line: string) => void;
  /** gap between posts to different channels (default 1100 ms) */
  paceMs?: number;
  /** retries of one post after a 429 before the slot is left for the next tick (default 3) */
  maxRetries?: number;
  /** longest Retry-After honoured within a tick; a longer one leaves the slot for a later tick (default 2 min) */
  maxRetryWaitMs?: number;
}

export interface TickEntry {
  id: number;
  platform: Platform;
  channelId: string;
  /** the slot considered, when there was one */
  slot?: string;
  /** why it was skipped, paused or failed */
  reason?: string;
  /** post attempts made (posted/failed/paused) */
  attempts?: number;
}

export interface TickReport {
  at: string;
  posted: TickEntry[];
  skipped: TickEntry[];
  /** paused during this tick (already-paused subscriptions are in skipped) */
  paused: TickEntry[];
  failed: TickEntry[];
}

export interface Scheduler {
  /** start the every-minute node-cron task (and run one tick right away, to catch up after downtime) */
  start(): void;
  /** one pass over every subscription; never throws */
  tick(): Promise<TickReport>;
  /** stop the task, cut short any wait, and let the tick in progress finish */
  stop(): Promise<void>;
}

const BACKOFF_MAX_MIN = 60;

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { store } = opts;
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? ((line: string) => console.log(`digest: ${line}`));
  const paceMs = opts.paceMs ?? 1100;
  const maxRetries = opts.maxRetries ?? 3;
  const maxRetryWaitMs = opts.maxRetryWaitMs ?? 2 * 60_000;
  const render: ChartRenderer = opts.renderChart ?? (async (chart) => (await import('../charts/render.ts')).renderChart(chart));

  let task: ScheduledTask | null = null;
  let running: Promise<TickReport> | null = null;
  let stopping = false;
  /** resolvers of waits in progress, so stop() can cut them short */
  const waits = new Set<() => void>();
  /** consecutive 'other' failures per subscription, and when to try again */
  const backoff = new Map<number, { failures: number; until: number }>();
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
  const entry = (s: Subscription, extra: Partial<TickEntry> = {}): TickEntry => ({ id: s.id, platform: s.platform, channelId: s.channelId, ...extra });

  async function chartFor(digest: Digest, s: Subscription): Promise<Buffer | null> {
    const chart = digest.reply.chart;
    if (!chart) return null;
    try {
      const png = await render(chart);
      if (!png) log(`${who(s)}: the chart did not render; posting without it`);
      return png;
    } catch (e) {
      log(`${who(s)}: the chart did not render (${(e as Error).message}); posting without it`);
      return null;
    }
  }

  async function run(): Promise<TickReport> {
    const at = now();
    const report: TickReport = { at: at.toISOString(), posted: [], skipped: [], paused: [], failed: [] };
    let subs: StoredSubscription[];
    try {
      subs = store.list();
    } catch (e) {
      log(`cannot read subscriptions: ${(e as Error).message}`);
      return report;
    }
    let postedBefore = false;
    for (const sub of subs) {
      if (stopping) { report.skipped.push(entry(sub, { reason: 'scheduler stopping' })); continue; }
      try {
        const wasPosting = await one(sub, at, report, postedBefore);
        postedBefore ||= wasPosting;
      } catch (e) {
        // one() handles its own failures; this is the last line of defence (e.g. the database went away)
        log(`${who(sub)}: ${(e as Error).message}`);
        report.failed.push(entry(sub, { reason: (e as Error).message }));
      }
    }
    const n = (k: keyof Omit<TickReport, 'at'>) => report[k].length;
    if (n('posted') || n('paused') || n('failed')) log(`tick ${report.at}: ${n('posted')} posted, ${n('paused')} paused, ${n('failed')} failed, ${n('skipped')} not due`);
    return report;
  }

  /** Handle one subscription; returns true when it made a post attempt (so the next one is paced). */
  async function one(sub: StoredSubscription, at: Date, report: TickReport, pace: boolean): Promise<boolean> {
    if (sub.pausedReason) { report.skipped.push(entry(sub, { reason: `paused: ${sub.pausedReason}` })); return false; }
    const poster = opts.posters[sub.platform];
    if (!poster) { report.skipped.push(entry(sub, { reason: `no ${sub.platform} poster configured` })); return false; }

    let slotDate: Date | null;
    try {
      slotDate = lastFire(sub.cron, sub.timezone, at);
    } catch (e) {
      report.failed.push(entry(sub, { reason: `bad schedule: ${(e as Error).message}` }));
      return false;
    }
    if (!slotDate) { report.skipped.push(entry(sub, { reason: 'no slot yet' })); return false; }
    const slot = slotDate.toISOString();
    const since = Date.parse(sub.activeSince ?? sub.createdAt);
    if (!(slotDate.getTime() > since)) { report.skipped.push(entry(sub, { slot, reason: 'slot is from before the subscription' })); return false; }
    if (sub.lastSlot && !(slotDate.getTime() > Date.parse(sub.lastSlot))) { report.skipped.push(entry(sub, { slot, reason: 'already posted' })); return false; }
    if (unrecorded.has(`${sub.id}|${slot}`)) { report.skipped.push(entry(sub, { slot, reason: 'posted (not recorded: database error)' })); return false; }
    const b = backoff.get(sub.id);
    if (b && at.getTime() < b.until) { report.skipped.push(entry(sub, { slot, reason: `backing off after ${b.failures} failure(s)` })); return false; }

    if (!store.claimSlot(sub.id, slot, at.toISOString())) {
      report.skipped.push(entry(sub, { slot, reason: 'slot already claimed (posted, or being posted by another process)' }));
      return false;
    }

    // From here on the slot is ours: every path ends in markPosted, releaseSlot or failSlot.
    if (pace) await sleep(paceMs);
    if (stopping) { store.releaseSlot(sub.id, slot); report.skipped.push(entry(sub, { slot, reason: 'scheduler stopping' })); return false; }

    let digest: Digest;
    try {
      digest = await opts.build(sub, at);
    } catch (e) {
      store.releaseSlot(sub.id, slot);
      const reason = `building the digest failed: ${(e as Error).message}`;
      noteFailure(sub, at, reason);
      report.failed.push(entry(sub, { slot, reason, attempts: 0 }));
      return false;
    }
    const png = await chartFor(digest, sub);

    for (let attempt = 1; ; attempt++) {
      try {
        await poster.post(sub.channelId, digest.reply, png);
        const postedAt = now().toISOString();
        try {
          store.markPosted(sub.id, slot, digest.snapshot, postedAt);
        } catch (e) {
          unrecorded.add(`${sub.id}|${slot}`);
          log(`${who(sub)}: POSTED slot ${slot} but could not record it: ${(e as Error).message}`);
        }
        backoff.delete(sub.id);
        log(`${who(sub)}: posted the digest for ${slot}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
        report.posted.push(entry(sub, { slot, attempts: attempt }));
        return true;
      } catch (e) {
        const err = e instanceof PostError ? e : new PostError('other', (e as Error)?.message ?? String(e));
        if (err.failure === 'rate-limited') {
          const wait = err.retryAfterMs ?? 5000;
          if (attempt <= maxRetries && wait <= maxRetryWaitMs && !stopping) {
            log(`${who(sub)}: ${err.message}; retrying in ${wait} ms (retry ${attempt}/${maxRetries})`);
            await sleep(wait);
            if (!stopping) continue;
          }
          store.releaseSlot(sub.id, slot);
          const reason = `${err.message}; gave up after ${attempt} attempt(s), will retry next tick`;
          log(`${who(sub)}: ${reason}`);
          report.failed.push(entry(sub, { slot, reason, attempts: attempt }));
          return true;
        }
        if (err.failure === 'gone' || err.failure === 'forbidden') {
          const reason = `${err.message} on ${localDate(now(), sub.timezone)} — re-run /digest subscribe there to resume`;
          store.failSlot(sub.id, slot, err.message);
          store.pause(sub.id, reason);
          backoff.delete(sub.id);
          log(`${who(sub)}: paused: ${reason}`);
          report.paused.push(entry(sub, { slot, reason, attempts: attempt }));
          return true;
        }
        store.releaseSlot(sub.id, slot);
        noteFailure(sub, at, err.message);
        report.failed.push(entry(sub, { slot, reason: err.message, attempts: attempt }));
        return true;
      }
    }
  }

  function noteFailure(sub: Subscription, at: Date, reason: string): void {
    const failures = (backoff.get(sub.id)?.failures ?? 0) + 1;
    const minutes = Math.min(2 ** (failures - 1), BACKOFF_MAX_MIN);
    // a little under whole minutes, so the tick `minutes` from now is not skipped
    backoff.set(sub.id, { failures, until: at.getTime() + minutes * 60_000 - 5_000 });
    log(`${who(sub)}: ${reason}; will retry in ${minutes} min`);
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
