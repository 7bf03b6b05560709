// What /digest and `memwall digest` do with a channel: subscribe, unsubscribe, status, preview.
import type { Catalog } from '../catalog/load.ts';
import { resolveModel } from '../catalog/resolve.ts';
import { buildDigest } from './content.ts';
import { lastFire, nextFire, parseSchedule, validTimezone } from './schedule.ts';
import type { Store } from './store.ts';
import type { Digest, Platform, Subscription } from './types.ts';

export const DEFAULT_DIGEST_MODEL = 'llama-3.1-70b';

export interface ChannelRef { platform: Platform; id: string; workspaceId?: string | null }

export type Result<T> = { ok: true; value: T; note?: string } | { ok: false; error: string; hint?: string };

/** `skipped`: the latest slot that was given up for good (with the reason), and how many were */
export interface Status { sub: Subscription; next: Date | null; skipped?: { slot: string; reason: string; count: number } | null }

export class DigestService {
  /** `postable`: platforms this process can post digests to (unset: all, as for the operator CLI) */
  constructor(private readonly storeOrNull: Store | null, private readonly cat: Catalog, private readonly now: () => Date = () => new Date(),
    private readonly postable?: Set<Platform>) {}

  private get store(): Store {
    if (!this.storeOrNull) throw new Error('no subscription store');
    return this.storeOrNull;
  }

  async subscribe(ch: ChannelRef, o: { schedule?: string; timezone?: string; model?: string }): Promise<Result<Status>> {
    if (this.postable && !this.postable.has(ch.platform)) {
      return ch.platform === 'discord'
        ? { ok: false, error: 'I can answer here, but I cannot post scheduled digests: posting to a channel needs the bot token.', hint: 'Ask whoever runs memwall to set DISCORD_TOKEN.' }
        : { ok: false, error: `Digests cannot be posted to ${ch.platform} from this memwall.` };
    }
    const s = parseSchedule(o.schedule);
    if ('error' in s) return { ok: false, error: s.error };
    const tz = o.timezone?.trim() || 'UTC';
    if (!validTimezone(tz)) return { ok: false, error: `"${tz}" is not a timezone I know.`, hint: 'Use an IANA name such as `Europe/London`, `America/New_York` or `Asia/Tokyo`.' };
    const m = resolveModel(this.cat, o.model ?? DEFAULT_DIGEST_MODEL);
    if (!m.ok) return { ok: false, error: m.error };
    const existing = await this.store.get(ch.platform, ch.id);
    const sub = await this.store.subscribe({ platform: ch.platform, workspaceId: ch.workspaceId ?? null, channelId: ch.id, cron: s.cron, scheduleLabel: s.label, timezone: tz, model: m.item.id });
    return { ok: true, value: { sub, next: nextFire(sub.cron, sub.timezone, this.now()) }, note: existing ? 'updated the existing subscription' : undefined };
  }

  unsubscribe(ch: ChannelRef): Promise<boolean> {
    return this.store.unsubscribe(ch.platform, ch.id);
  }

  async status(ch: ChannelRef): Promise<Status | null> {
    const sub = await this.store.get(ch.platform, ch.id);
    if (!sub) return null;
    const skips = (await this.store.posts(sub.id)).filter((p) => p.state === 'skipped');
    const last = skips.at(-1);
    return {
      sub, next: sub.pausedReason ? null : nextFire(sub.cron, sub.timezone, this.now()),
      skipped: last ? { slot: last.slot, reason: last.error ?? 'no reason recorded', count: skips.length } : null,
    };
  }

  list(): Promise<Subscription[]> {
    return this.store.list();
  }

  /** The digest the channel would get now (or for a given model), without recording anything. */
  async preview(ch: ChannelRef | null, modelText?: string): Promise<Result<Digest>> {
    const sub = ch && this.storeOrNull ? await this.storeOrNull.get(ch.platform, ch.id) : null;
    const m = resolveModel(this.cat, modelText ?? sub?.model ?? DEFAULT_DIGEST_MODEL);
    if (!m.ok) return { ok: false, error: m.error };
    return { ok: true, value: buildDigest(this.cat, { model: m.item, postCount: sub?.postCount ?? 0, lastSnapshot: sub?.lastSnapshot ?? null, now: this.now() }) };
  }

  /** For the scheduler: build the digest a subscription is due. */
  build(sub: Subscription, now: Date): Digest {
    const model = this.cat.modelById.get(sub.model) ?? this.cat.modelById.get(DEFAULT_DIGEST_MODEL)!;
    return buildDigest(this.cat, { model, postCount: sub.postCount, lastSnapshot: sub.lastSnapshot, now });
  }

  lastSlot(sub: Subscription, now: Date): Date | null {
    return lastFire(sub.cron, sub.timezone, now);
  }
}
