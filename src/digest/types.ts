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

export interface Poster {
  post(channelId: string, reply: Reply, chart: Buffer | null): Promise<void>;
}
