// Posting a digest into a channel: Discord through @discordjs/rest (it queues per route and honours 429 Retry-After
// itself), Slack through @slack/web-api (chat.postMessage with message metadata, filesUploadV2 for the chart), and
// the local playground. Failures come out as PostError: 'rate-limited' (with retryAfterMs), 'gone', 'forbidden' or
// 'other'; the scheduler decides what to do with each.
import { createHash } from 'node:crypto';
import { DiscordAPIError, HTTPError, RateLimitError, REST } from '@discordjs/rest';
import { ErrorCode, WebClient, type WebAPICallError } from '@slack/web-api';
import { toDiscord, type DiscordMessage } from '../reply/discord.ts';
import type { Reply } from '../reply/reply.ts';
import { toSlack } from '../reply/slack.ts';
import { PostError, type PostMeta, type Poster } from './types.ts';

export const CHART_NAME = 'chart.png';
const REQUEST_TIMEOUT_MS = 30_000;
/** when a 429 names no wait */
const DEFAULT_RETRY_MS = 5_000;
/** Discord: a rate-limit wait longer than this is handed back to the scheduler instead of being waited out in place */
const MAX_LIBRARY_WAIT_MS = 2 * 60_000;

type Log = (line: string) => void;
const defaultLog: Log = (line) => console.log(`digest: ${line}`);

// ---- Discord --------------------------------------------------------------------------------------------------------

export interface DiscordPosterOptions {
  token: string;
  /** e.g. https://discord.com/api/v10 (tests: the loopback fake) */
  apiBase: string;
}

/** The message body for a digest: the rendered embeds, never ephemeral, pinging nobody. */
export function discordMessage(reply: Reply, withChart: boolean): DiscordMessage & Record<string, unknown> {
  const msg: DiscordMessage & Record<string, unknown> = { ...toDiscord(reply, withChart ? { chartName: CHART_NAME } : {}) };
  delete msg.flags;
  msg.allowed_mentions = { parse: [] };
  if (withChart) msg.attachments = [{ id: 0, filename: CHART_NAME, description: (reply.chart?.alt ?? 'chart').slice(0, 1024) }];
  return msg;
}

/**
 * The nonce of one (subscription, slot) in a channel: the same on every attempt, so a retried create returns the message the
 * earlier attempt made instead of posting a second one. Discord takes a string of at most 25 characters.
 * https://discord.com/developers/docs/resources/message#create-message (nonce, enforce_nonce: "If true and nonce is
 * present, it will be checked for uniqueness in the past few minutes. If another message was created by the same
 * author with the same nonce, that message will be returned and no new message will be created.")
 */
export function digestNonce(meta: Pick<PostMeta, 'subscriptionId' | 'slot'>, channelId: string): string {
  // the channel id too: Discord dedupes per author, and two databases (staging, production) may share a bot
  return createHash('sha256').update(`memwall-digest|${meta.subscriptionId}|${meta.slot}|${channelId}`).digest('base64url').slice(0, 25);
}

export function classifyDiscord(status: number, body: any, retryAfterMs?: number): PostError {
  const code = typeof body?.code === 'number' ? body.code : undefined;
  const text = typeof body?.message === 'string' ? body.message : '';
  if (status === 429) return new PostError('rate-limited', `rate limited by Discord${body?.global ? ' (global)' : ''}`, retryAfterMs ?? DEFAULT_RETRY_MS);
  if (code === 10003 || status === 404) return new PostError('gone', `channel not found (Discord ${status}${code ? ` ${code}` : ''} ${text || 'Unknown Channel'})`);
  if (code === 50001) return new PostError('forbidden', `the bot cannot see this channel (Discord ${status} 50001 Missing Access)`);
  if (code === 50013) return new PostError('forbidden', `the bot may not post here (Discord ${status} 50013 Missing Permissions: it needs View Channel, Send Messages, Embed Links and Attach Files)`);
  if (status === 403) return new PostError('forbidden', `the bot is not allowed to post here (Discord 403${code ? ` ${code}` : ''}${text ? ` ${text}` : ''})`);
  if (status === 401) return new PostError('other', 'Discord rejected the bot token (401 Unauthorized) — check DISCORD_TOKEN');
  return new PostError('other', `Discord answered ${status}${code ? ` ${code}` : ''}${text ? ` ${text}` : ''}`);
}

/** "…/api/v10" → { api: "…/api", version: "10" }, as @discordjs/rest wants them. */
export function restBase(apiBase: string): { api: string; version: string } {
  const m = /^(.*)\/v(\d+)\/?$/.exec(apiBase);
  return m ? { api: m[1], version: m[2] } : { api: apiBase.replace(/\/+$/, ''), version: '10' };
}

/**
 * POST /channels/{id}/messages through @discordjs/rest: JSON, or multipart (payload_json + files[0]) with a chart.
 * Works with the bot token alone — no gateway connection — so an HTTP-interactions-only deployment posts digests.
 */
export function discordPoster(opts: DiscordPosterOptions): Poster {
  const rest = new REST({
    ...restBase(opts.apiBase),
    timeout: REQUEST_TIMEOUT_MS,
    // a wait the library would sit out for minutes is returned to the scheduler (which keeps or releases the slot)
    rejectOnRateLimit: (info) => info.retryAfter > MAX_LIBRARY_WAIT_MS,
    userAgentAppendix: 'memwall-digest',
  }).setToken(opts.token);
  return {
    async post(channelId, reply, chart, meta) {
      const body: Record<string, unknown> = discordMessage(reply, !!chart);
      if (meta) { body.nonce = digestNonce(meta, channelId); body.enforce_nonce = true; }
      try {
        await rest.post(`/channels/${encodeURIComponent(channelId)}/messages`, {
          body,
          ...(chart ? { files: [{ name: CHART_NAME, data: chart, contentType: 'image/png' }] } : {}),
        });
      } catch (e) {
        if (e instanceof DiscordAPIError) throw classifyDiscord(e.status, e.rawError);
        if (e instanceof RateLimitError) throw new PostError('rate-limited', `rate limited by Discord${e.global ? ' (global)' : ''}`, e.retryAfter);
        if (e instanceof HTTPError) throw new PostError('other', `Discord answered ${e.status} (${e.message})`);
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new PostError('other', `posting to Discord channel ${channelId} failed: ${cause?.code ?? cause?.message ?? (e as Error)?.message ?? e}`);
      }
    },
  };
}

// ---- Slack ----------------------------------------------------------------------------------------------------------

/**
 * Every digest post carries message metadata naming the slot, so a later attempt can find it in the channel.
 * https://docs.slack.dev/messaging/message-metadata (chat.postMessage `metadata`: event_type + event_payload), read
 * back with conversations.history, which returns event_payload only with include_all_metadata=true:
 * https://docs.slack.dev/reference/methods/conversations.history
 */
export const SLACK_EVENT_TYPE = 'memwall_digest_posted';

export interface SlackPosterOptions {
  /** the bot token for a workspace (OAuth installs: looked up per team; single-workspace: always the same) */
  token: string | ((workspaceId: string | null) => Promise<string | null>);
  /** e.g. https://slack.com/api/ (tests: the loopback fake) */
  apiUrl: string;
  log?: Log;
}

const SLACK_GONE: Record<string, string> = {
  channel_not_found: 'channel not found (Slack channel_not_found)',
  is_archived: 'the channel is archived (Slack is_archived)',
  account_inactive: 'the app was removed from this workspace (Slack account_inactive)',
  team_not_found: 'the workspace is gone (Slack team_not_found)',
};
const SLACK_FORBIDDEN: Record<string, string> = {
  not_in_channel: 'the bot is not in this channel (Slack not_in_channel) — invite it with /invite',
  restricted_action: 'the workspace does not let the bot post here (Slack restricted_action)',
  invalid_auth: 'Slack rejected the token for this workspace (invalid_auth) — reinstall the app there',
  token_revoked: 'the token for this workspace was revoked (Slack token_revoked) — reinstall the app there',
};

export function classifySlack(method: string, error: string, status?: number, retryAfterMs?: number): PostError {
  if (status === 429 || error === 'ratelimited' || error === 'rate_limited') return new PostError('rate-limited', `rate limited by Slack (${method})`, retryAfterMs ?? DEFAULT_RETRY_MS);
  if (SLACK_GONE[error]) return new PostError('gone', SLACK_GONE[error]);
  if (SLACK_FORBIDDEN[error]) return new PostError('forbidden', SLACK_FORBIDDEN[error]);
  if (error) return new PostError('other', `Slack ${method} failed: ${error}`);
  return new PostError('other', `Slack ${method} answered HTTP ${status ?? '?'}`);
}

/** A @slack/web-api error as a PostError. */
function fromWebApi(method: string, e: unknown): PostError {
  const err = e as WebAPICallError & { data?: { error?: string }; retryAfter?: number; statusCode?: number; original?: { message?: string; code?: string } };
  switch (err?.code) {
    case ErrorCode.PlatformError: return classifySlack(method, err.data?.error ?? '');
    case ErrorCode.RateLimitedError: return classifySlack(method, 'ratelimited', 429, typeof err.retryAfter === 'number' ? err.retryAfter * 1000 : undefined);
    case ErrorCode.HTTPError: return classifySlack(method, '', err.statusCode);
    case ErrorCode.RequestError: return new PostError('other', `Slack ${method} failed: ${err.original?.code ?? err.original?.message ?? err.message}`);
    default: return e instanceof PostError ? e : new PostError('other', `Slack ${method} failed: ${(e as Error)?.message ?? e}`);
  }
}

/**
 * chat.postMessage with the blocks from toSlack (more than one message when the digest is over Slack's limits), then
 * the chart through filesUploadV2. Only the first message decides success: once it is in the channel, a failure of a
 * continuation or of the chart is logged, not thrown (throwing would make the scheduler post again).
 */
export function slackPoster(opts: SlackPosterOptions): Poster {
  const base = opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/`;
  const log = opts.log ?? defaultLog;
  const clients = new Map<string, WebClient>();
  async function client(workspaceId: string | null): Promise<WebClient> {
    const token = typeof opts.token === 'string' ? opts.token : await opts.token(workspaceId);
    if (!token) throw new PostError('forbidden', `memwall is not installed in Slack workspace ${workspaceId ?? '(none)'} — install it there again`);
    let c = clients.get(token);
    if (!c) {
      // 429s come back to the scheduler (it waits Retry-After with the slot claimed); other failures retry twice, quickly
      c = new WebClient(token, { slackApiUrl: base, rejectRateLimitedCalls: true, retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000 }, timeout: REQUEST_TIMEOUT_MS });
      clients.set(token, c);
    }
    return c;
  }

  return {
    async post(channelId, reply, chart, meta) {
      const web = await client(meta?.workspaceId ?? null);
      const messages = toSlack(reply);
      for (const [i, m] of messages.entries()) {
        const args = {
          channel: channelId, text: m.text, blocks: m.blocks as never, unfurl_links: false, unfurl_media: false,
          ...(i === 0 && meta ? { metadata: { event_type: SLACK_EVENT_TYPE, event_payload: { subscription_id: meta.subscriptionId, slot: meta.slot } } } : {}),
        };
        try {
          await web.chat.postMessage(args);
        } catch (e) {
          if (i === 0) throw fromWebApi('chat.postMessage', e);
          log(`slack ${channelId}: part ${i + 1}/${messages.length} of the digest was not posted: ${fromWebApi('chat.postMessage', e).message}`);
          return;
        }
      }
      if (!chart) return;
      try {
        await web.filesUploadV2({ channel_id: channelId, file: chart, filename: CHART_NAME, title: reply.title.slice(0, 250), alt_text: (reply.chart?.alt ?? 'chart').slice(0, 1000) });
      } catch (e) {
        log(`slack ${channelId}: the digest was posted but its chart was not: ${fromWebApi('files.uploadV2', e).message}`);
      }
    },
    async alreadyPosted(channelId, meta) {
      const web = await client(meta.workspaceId);
      // the slot's post cannot be older than the slot itself
      const oldest = String(Math.floor(Date.parse(meta.slot) / 1000) - 60);
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        let r;
        try {
          r = await web.conversations.history({ channel: channelId, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
        } catch (e) {
          throw fromWebApi('conversations.history', e);
        }
        for (const m of r.messages ?? []) {
          const md = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
          if (md?.event_type === SLACK_EVENT_TYPE && Number(md.event_payload?.subscription_id) === meta.subscriptionId && md.event_payload?.slot === meta.slot) return true;
        }
        cursor = r.response_metadata?.next_cursor || undefined;
        if (!r.has_more || !cursor) break;
      }
      return false;
    },
  };
}

// ---- local playground -----------------------------------------------------------------------------------------------

/** The playground renders the chart itself from reply.chart, so the PNG is not passed on. */
export function localPoster(playground: { post(channelId: string, reply: Reply): Promise<void> }): Poster {
  return {
    async post(channelId, reply) {
      try {
        await playground.post(channelId, reply);
      } catch (e) {
        throw new PostError('other', `the playground did not take the post: ${(e as Error).message}`);
      }
    },
  };
}
