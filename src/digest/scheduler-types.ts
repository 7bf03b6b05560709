// The scheduler's options and reports (src/digest/scheduler.ts).
import type { Store } from './store.ts';
import type { Digest, Platform, Poster, Subscription } from './types.ts';

export type ChartRenderer = (chart: { spec: Record<string, unknown>; alt: string }) => Promise<Buffer | null>;

/** A log line with structured fields (subscription, slot, …) for pino; plain callers can ignore the fields. */
export type DigestLog = (line: string, fields?: Record<string, unknown>) => void;

export interface SchedulerOptions {
  store: Store;
  posters: Partial<Record<Platform, Poster>>;
  build: (sub: Subscription, now: Date) => Promise<Digest> | Digest;
  /** default: src/charts/render.ts renderChart (loaded on first use) */
  renderChart?: ChartRenderer;
  now?: () => Date;
  log?: DigestLog;
  /** gap between posts to different channels (default 1100 ms) */
  paceMs?: number;
  /** retries of one post after a 429 before the slot is left for the next tick (default 3) */
  maxRetries?: number;
  /** longest Retry-After honoured within a tick; a longer one leaves the slot for a later tick (default 2 min) */
  maxRetryWaitMs?: number;
  /** this instance, as the owner of its claims (default: a random id) */
  instanceId?: string;
  /** claim lease (default CLAIM_LEASE_MS) and heartbeat interval (default HEARTBEAT_MS) */
  leaseMs?: number;
  heartbeatMs?: number;
  /** claims of one slot before it is skipped for good (default 6: about half an hour of backoff) */
  maxAttempts?: number;
  /** due subscriptions taken from the store at a time (default 10) */
  batch?: number;
  /** outcomes, for metrics */
  onOutcome?: (outcome: 'posted' | 'failed' | 'paused' | 'skipped', platform: Platform) => void;
}

export interface TickEntry {
  id: number;
  platform: Platform;
  channelId: string;
  /** the slot considered, when there was one */
  slot?: string;
  /** why it was skipped, paused or failed */
  reason?: string;
  /** post attempts made in this tick (posted/failed/paused) */
  attempts?: number;
}

export interface TickReport {
  at: string;
  posted: TickEntry[];
  /** due but not posted now: not its slot yet, already posted, claimed by another instance, backing off, stopping */
  skipped: TickEntry[];
  /** paused during this tick */
  paused: TickEntry[];
  failed: TickEntry[];
  /** slots given up for good during this tick, recorded as skipped with the reason */
  gaveUp: TickEntry[];
}

export interface Scheduler {
  /** start the every-minute node-cron task (and run one tick right away, to catch up after downtime) */
  start(): void;
  /** one pass over the due subscriptions; never throws */
  tick(): Promise<TickReport>;
  /** stop the task, cut short any wait, let the post in progress finish and release the claims not yet posted */
  stop(): Promise<void>;
  readonly instanceId: string;
}
