// Posting a digest into a channel: Discord REST, Slack Web API (plain fetch, so every failure is ours to classify),
// and the local playground. Failures come out as PostError: 'rate-limited' (with retryAfterMs), 'gone', 'forbidden'
// or 'other'; the scheduler decides what to do with each.
import { toDiscord, type DiscordMessage } from '../reply/discord.ts';
import type { Reply } from '../reply/reply.ts';
import { toSlack } from '../reply/slack.ts';
import { PostError, type Poster } from './types.ts';

export const CHART_NAME = 'chart.png';
const USER_AGENT = 'DiscordBot (https://github.com/memwall/memwall, 0.1.0) memwall-digest';
const REQUEST_TIMEOUT_MS = 30_000;
/** when a 429 names no wait */
const DEFAULT_RETRY_MS = 5_000;

type Log = (line: string) => void;
const defaultLog: Log = (line) => console.log(`digest: ${line}`);

/** Seconds (possibly fractional) from a body field or a Retry-After header → ms; undefined when neither is usable. */
function retryMs(bodySeconds: unknown, header: string | null): number | undefined {
  const b = typeof bodySeconds === 'number' ? bodySeconds : typeof bodySeconds === 'string' ? Number(bodySeconds) : NaN;
  if (Number.isFinite(b) && b >= 0) return Math.ceil(b * 1000);
  if (header) {
    const h = Number(header);
    if (Number.isFinite(h) && h >= 0) return Math.ceil(h * 1000);
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  return undefined;
}

async function send(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new PostError('other', `${what} failed: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
}

async function readJson(res: Response): Promise<any> {
  const text = await res.text();
  try { return text ? JSON.parse(text) : {}; } catch { return { raw: text.slice(0, 200) }; }
}

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

export function classifyDiscord(status: number, body: any, retryAfterHeader: string | null): PostError {
  const code = typeof body?.code === 'number' ? body.code : undefined;
  const text = typeof body?.message === 'string' ? body.message : '';
  if (status === 429) {
    const ms = retryMs(body?.retry_after, retryAfterHeader) ?? DEFAULT_RETRY_MS;
    return new PostError('rate-limited', `rate limited by Discord${body?.global ? ' (global)' : ''}`, ms);
  }
  if (code === 10003 || status === 404) return new PostError('gone', `channel not found (Discord ${status}${code ? ` ${code}` : ''} ${text || 'Unknown Channel'})`);
  if (code === 50001) return new PostError('forbidden', `the bot cannot see this channel (Discord ${status} 50001 Missing Access)`);
  if (code === 50013) return new PostError('forbidden', `the bot may not post here (Discord ${status} 50013 Missing Permissions: it needs View Channel, Send Messages, Embed Links and Attach Files)`);
  if (status === 403) return new PostError('forbidden', `the bot is not allowed to post here (Discord 403${code ? ` ${code}` : ''}${text ? ` ${text}` : ''})`);
  if (status === 401) return new PostError('other', 'Discord rejected the bot token (401 Unauthorized) — check DISCORD_TOKEN');
  return new PostError('other', `Discord answered ${status}${code ? ` ${code}` : ''}${text ? ` ${text}` : ''}`);
}

/** POST /channels/{id}/messages: JSON, or multipart (payload_json + files[0]) when there is a chart. */
export function discordPoster(opts: DiscordPosterOptions): Poster {
  const base = opts.apiBase.replace(/\/+$/, '');
  return {
    async post(channelId, reply, chart) {
      const url = `${base}/channels/${encodeURIComponent(channelId)}/messages`;
      const headers: Record<string, string> = { Authorization: `Bot ${opts.token}`, 'User-Agent': USER_AGENT };
      let body: string | FormData;
      if (chart) {
        const form = new FormData();
        form.append('payload_json', JSON.stringify(discordMessage(reply, true)));
        form.append('files[0]', new Blob([new Uint8Array(chart)], { type: 'image/png' }), CHART_NAME);
        body = form;
      } else {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(discordMessage(reply, false));
      }
      const res = await send(url, { method: 'POST', headers, body }, `posting to Discord channel ${channelId}`);
      if (res.ok) { await res.arrayBuffer().catch(() => undefined); return; }
      throw classifyDiscord(res.status, await readJson(res), res.headers.get('retry-after'));
    },
  };
}

// ---- Slack ----------------------------------------------------------------------------------------------------------

export interface SlackPosterOptions {
  token: string;
  /** e.g. https://slack.com/api/ (tests: the loopback fake) */
  apiUrl: string;
  log?: Log;
}

const SLACK_GONE: Record<string, string> = {
  channel_not_found: 'channel not found (Slack channel_not_found)',
  is_archived: 'the channel is archived (Slack is_archived)',
};
const SLACK_FORBIDDEN: Record<string, string> = {
  not_in_channel: 'the bot is not in this channel (Slack not_in_channel) — invite it with /invite',
  restricted_action: 'the workspace does not let the bot post here (Slack restricted_action)',
};

export function classifySlack(method: string, status: number, body: any, retryAfterHeader: string | null): PostError {
  const error = typeof body?.error === 'string' ? body.error : '';
  if (status === 429 || error === 'ratelimited' || error === 'rate_limited') {
    return new PostError('rate-limited', `rate limited by Slack (${method})`, retryMs(undefined, retryAfterHeader) ?? DEFAULT_RETRY_MS);
  }
  if (SLACK_GONE[error]) return new PostError('gone', SLACK_GONE[error]);
  if (SLACK_FORBIDDEN[error]) return new PostError('forbidden', SLACK_FORBIDDEN[error]);
  if (error) return new PostError('other', `Slack ${method} failed: ${error}`);
  return new PostError('other', `Slack ${method} answered HTTP ${status}`);
}

/**
 * chat.postMessage with the blocks from toSlack (more than one message when the digest is over Slack's limits), then
 * the chart through the external upload flow. Only the first message decides success: once it is in the channel,
 * a failure of a continuation or of the chart is logged, not thrown (throwing would make the scheduler post again).
 */
export function slackPoster(opts: SlackPosterOptions): Poster {
  const base = opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/`;
  const log = opts.log ?? defaultLog;
  const auth = { Authorization: `Bearer ${opts.token}` };

  async function call(method: string, params: Record<string, string | number>): Promise<any> {
    const form = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    const res = await send(`${base}${method}`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: form.toString(),
    }, `Slack ${method}`);
    const body = await readJson(res);
    if (res.status !== 200 || body?.ok !== true) throw classifySlack(method, res.status, body, res.headers.get('retry-after'));
    return body;
  }

  async function uploadChart(channelId: string, chart: Buffer, alt: string, title: string): Promise<void> {
    const up = await call('files.getUploadURLExternal', { filename: CHART_NAME, length: chart.length, alt_txt: alt.slice(0, 1000) });
    if (typeof up.upload_url !== 'string' || typeof up.file_id !== 'string') throw new PostError('other', 'Slack files.getUploadURLExternal gave no upload_url');
    const res = await send(up.upload_url, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(chart) }, 'Slack file upload');
    await res.arrayBuffer().catch(() => undefined);
    if (res.status !== 200) throw new PostError('other', `Slack file upload answered HTTP ${res.status}`);
    await call('files.completeUploadExternal', { files: JSON.stringify([{ id: up.file_id, title: title.slice(0, 250) }]), channel_id: channelId });
  }

  return {
    async post(channelId, reply, chart) {
      const messages = toSlack(reply);
      for (const [i, m] of messages.entries()) {
        const params = { channel: channelId, text: m.text, blocks: JSON.stringify(m.blocks), unfurl_links: 'false', unfurl_media: 'false' };
        if (i === 0) { await call('chat.postMessage', params); continue; }
        try {
          await call('chat.postMessage', params);
        } catch (e) {
          log(`slack ${channelId}: part ${i + 1}/${messages.length} of the digest was not posted: ${(e as Error).message}`);
          return;
        }
      }
      if (!chart) return;
      try {
        await uploadChart(channelId, chart, reply.chart?.alt ?? 'chart', reply.title);
      } catch (e) {
        log(`slack ${channelId}: the digest was posted but its chart was not: ${(e as Error).message}`);
      }
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
