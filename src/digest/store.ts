// The digest store: one async contract, two engines. SQLite (better-sqlite3 12, a file under var/) is the default;
// PostgreSQL (pg 8) is chosen when the location is a postgres:// URL (DATABASE_URL), so several instances can share
// the subscriptions, the per-slot claims, the Slack installations and the recently seen Discord interaction ids.
//
// Exactly-once delivery rests on the posts table: one row per (subscription, slot), claimed by one owner for a short
// lease (renewed by heartbeats while the owner works), then posted, failed, or skipped with a reason. A claim whose
// owner died is taken over once its lease runs out; the taker is told it is a later attempt, so it asks the platform
// whether the earlier attempt got through (Discord enforce_nonce, Slack message metadata) before posting.
import type { NewSubscription, Platform, Subscription } from './types.ts';

export class StoreError extends Error {
  constructor(message: string, readonly path: string, readonly code?: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/** A subscription as stored: the shared shape plus the instant from which its slots count. */
export interface StoredSubscription extends Subscription {
  /** slots at or before this instant are not posted (subscribe, re-subscribe and resume set it to "now") */
  activeSince: string;
  pausedAt: string | null;
  /** when the scheduler should look at it next (indexed; due when ≤ now) */
  nextRunAt: string;
}

export type PostState = 'claimed' | 'released' | 'posted' | 'failed' | 'skipped';

export interface PostRecord {
  subscriptionId: number;
  slot: string;
  state: PostState;
  claimedAt: string;
  claimedBy: string | null;
  leaseUntil: string | null;
  /** how many times the slot has been claimed */
  attempts: number;
  postedAt: string | null;
  /** why it failed, was released, or was skipped */
  error: string | null;
}

export interface ClaimRequest {
  now: string;
  /** instance id of the claimer */
  owner: string;
  /** the claim is the owner's until then (renew with heartbeat) */
  leaseUntil: string;
}

/** The outcome of claimSlot: either the slot is ours (attempt ≥ 1) or why not. */
export type Claim =
  | { ok: true; attempt: number }
  | { ok: false; state: PostState | 'no-subscription'; leaseUntil?: string | null };

export interface TakeDueRequest {
  now: string;
  /** due subscriptions taken are not due again before this instant (so other instances pass them by) */
  holdUntil: string;
  limit: number;
  /** platforms this instance can post to */
  platforms: Platform[];
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** where the database is (a file path, ":memory:", or a postgres URL without its password) */
  readonly path: string;
  /** create, or update the subscription of this platform+channel (new schedule/timezone/model; clears a pause) */
  subscribe(sub: NewSubscription): Promise<StoredSubscription>;
  unsubscribe(platform: Platform, channelId: string): Promise<boolean>;
  get(platform: Platform, channelId: string): Promise<StoredSubscription | null>;
  getById(id: number): Promise<StoredSubscription | null>;
  list(): Promise<StoredSubscription[]>;
  /**
   * Take up to `limit` unpaused subscriptions on these platforms whose next run is due, oldest first, and push their
   * next run to `holdUntil`. PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so concurrent instances take disjoint sets.
   */
  takeDue(req: TakeDueRequest): Promise<StoredSubscription[]>;
  setNextRun(subId: number, atIso: string): Promise<void>;
  /**
   * Take the right to post one slot: a new slot, a released one, or one whose claim lease ran out (its owner died).
   * Refused when it is posted, failed or skipped, or claimed by an owner whose lease still runs.
   */
  claimSlot(subId: number, slotIso: string, req: ClaimRequest): Promise<Claim>;
  /** extend a claim this owner still holds; false when it is no longer ours */
  heartbeat(subId: number, slotIso: string, owner: string, leaseUntil: string): Promise<boolean>;
  /** record a successful post of a claimed slot, and the catalog snapshot it was built from */
  markPosted(subId: number, slotIso: string, snapshot: string, postedAtIso: string, nextRunAt?: string): Promise<void>;
  /** give a claimed slot back to be retried (not before `retryAt`, when given), keeping its attempt count; with `owner`, only that owner's claim */
  releaseSlot(subId: number, slotIso: string, reason?: string, retryAt?: string, owner?: string): Promise<void>;
  /** a claimed slot that will not be retried (the subscription was paused) */
  failSlot(subId: number, slotIso: string, error: string): Promise<void>;
  /** a slot given up for good, with the reason (shown in /digest status and logged) */
  skipSlot(subId: number, slotIso: string, reason: string, atIso: string): Promise<void>;
  /**
   * Older slots of this subscription left released, or claimed by an owner whose lease ran out, are skipped:
   * a newer slot is due and only the latest is ever posted. Returns the slots skipped.
   */
  skipSuperseded(subId: number, slotIso: string, nowIso: string): Promise<string[]>;
  pause(subId: number, reason: string): Promise<void>;
  resume(subId: number): Promise<void>;
  /** the slots recorded for a subscription, oldest first */
  posts(subId: number): Promise<PostRecord[]>;
  /** applied schema migrations, in order */
  migrations(): Promise<{ version: number; name: string; appliedAt: string }[]>;
  /**
   * Discord interaction replay guard shared by instances: true when this id was not seen before (and is remembered
   * until expiresAtMs); false for a repeat. Expired ids are pruned.
   */
  markInteractionSeen(id: string, expiresAtMs: number): Promise<boolean>;
  /** Slack installations, stored as the caller gives them (encrypted); key is the team or enterprise id */
  saveInstallation(key: string, data: string): Promise<void>;
  getInstallation(key: string): Promise<string | null>;
  deleteInstallation(key: string): Promise<boolean>;
  /** a cheap round trip, for /healthz */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** clock for created/claimed/paused timestamps (tests) */
  now?: () => Date;
  /** folder holding NNN_name.sql files (default: ./migrations, or ./migrations/pg for PostgreSQL) */
  migrationsDir?: string;
  /** PostgreSQL pool size (default 10) */
  poolSize?: number;
  /** PostgreSQL: a pooled connection failed while idle (metrics, logs); query errors reject the call instead */
  onError?: (e: unknown) => void;
}

/** Default claim lease. A live owner renews it every HEARTBEAT_MS; a dead owner's claim is retried after it. */
export const CLAIM_LEASE_MS = 90_000;
export const HEARTBEAT_MS = 30_000;

export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** A postgres URL as it may be shown in logs and messages: without the password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/**
 * Open the store at `location` — a SQLite file path (or ":memory:") or a postgres:// URL — and bring its schema up to
 * date. Throws StoreError with one line naming the location when it is unusable, corrupt, newer, or read-only.
 */
export async function openStore(location: string, opts: StoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(location)) return (await import('./store-pg.ts')).openPgStore(location, opts);
  return (await import('./store-sqlite.ts')).openSqliteStore(location, opts);
}

export { loadMigrations } from './migrations.ts';

// ---- shared by both engines ------------------------------------------------------------------------------------------

export interface SubRow {
  id: number; platform: Platform; workspace_id: string | null; channel_id: string; cron: string; schedule_label: string;
  timezone: string; model: string; created_at: string; active_since: string; paused_reason: string | null;
  paused_at: string | null; last_posted_at: string | null; last_slot: string | null; post_count: number; last_snapshot: string | null;
  next_run_at: string;
}

export const toSub = (r: SubRow): StoredSubscription => ({
  id: Number(r.id), platform: r.platform, workspaceId: r.workspace_id, channelId: r.channel_id, cron: r.cron,
  scheduleLabel: r.schedule_label, timezone: r.timezone, model: r.model, createdAt: r.created_at,
  pausedReason: r.paused_reason, lastPostedAt: r.last_posted_at, lastSlot: r.last_slot, postCount: Number(r.post_count),
  lastSnapshot: r.last_snapshot, activeSince: r.active_since, pausedAt: r.paused_at, nextRunAt: r.next_run_at,
});

export interface PostRow {
  subscription_id: number; slot: string; state: PostState; claimed_at: string; claimed_by: string | null;
  lease_until: string | null; attempts: number; posted_at: string | null; error: string | null;
}

export const toPost = (r: PostRow): PostRecord => ({
  subscriptionId: Number(r.subscription_id), slot: r.slot, state: r.state, claimedAt: r.claimed_at, claimedBy: r.claimed_by,
  leaseUntil: r.lease_until, attempts: Number(r.attempts), postedAt: r.posted_at, error: r.error,
});

/** How often expired interaction ids are pruned (at most). */
export const PRUNE_EVERY_MS = 60_000;
