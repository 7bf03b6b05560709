// Shapes shared by the digest store, scheduler, posters, content and the /digest command.
import type { Reply } from '../reply/reply.ts';

export type Platform = 'local' | 'discord' | 'slack';

export interface NewSubscription {
  platform: Platform;
  /** Discord guild id or Slack team id; null for local */
  workspaceId: string | null;
  channelId: string;
  /** a node-cron expression (5 fields: minute hour day month weekday) */
  cron: string;
  /** the schedule as the user gave it: "daily", "weekly" or the cron expression */
  scheduleLabel: string;
  /** IANA timezone the cron is read in */
  timezone: string;
  /** reference model id for the landscape */
  model: string;
}

export interface Subscription extends NewSubscription {
  id: number;
  createdAt: string;
  /** set when posting failed for a reason that needs a person (channel gone, bot not allowed) */
  pausedReason: string | null;
  lastPostedAt: string | null;
  /** ISO instant of the last scheduled slot that was posted */
  lastSlot: string | null;
  postCount: number;
  /** the catalog as it stood at the last post (JSON from content.ts), for "what changed" */
  lastSnapshot: string | null;
}

/** A built digest: what to post and the catalog snapshot to remember. */
export interface Digest { reply: Reply; snapshot: string }

export type PostFailure = 'gone' | 'forbidden' | 'rate-limited' | 'other';

/** Thrown by posters; `gone`/`forbidden` pause the subscription, `rate-limited` is retried after `retryAfterMs`. */
export class PostError extends Error {
  constructor(public readonly failure: PostFailure, message: string, public readonly retryAfterMs?: number) {
    super(message);
    this.name = 'PostError';
  }
}

/** Which digest a post is: posters derive their platform's dedupe key from it (Discord nonce, Slack metadata). */
export interface PostMeta {
  subscriptionId: number;
  /** ISO instant of the slot */
  slot: string;
  /** Discord guild / Slack team: whose token posts (Slack OAuth) */
  workspaceId: string | null;
  /** 1 for the first claim of the slot; more when an earlier attempt may have got through */
  attempt: number;
}

export interface Poster {
  post(channelId: string, reply: Reply, chart: Buffer | null, meta?: PostMeta): Promise<void>;
  /**
   * Before a later attempt: is this slot's digest already in the channel (posted by an attempt whose owner died
   * before recording it)? Posters whose platform dedupes on its own (Discord enforce_nonce) leave it out.
   */
  alreadyPosted?(channelId: string, meta: PostMeta): Promise<boolean>;
}
