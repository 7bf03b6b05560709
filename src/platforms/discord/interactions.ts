// Discord HTTP interactions: POST /discord/interactions (the caller routes the request here).
// Every request is verified (Ed25519 over timestamp + raw body) before anything else; PING → PONG; commands,
// autocomplete and buttons are answered through the shared flow, with follow-ups sent to Discord's webhook routes.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from '../../../commands/command.ts';
import type { DiscordMessage } from '../../reply/discord.ts';
import { DEFAULT_BODY_LIMIT, readBodyWithin, refuse, timestampWithin, TIMESTAMP_WINDOW_MS } from '../http/body.ts';
import { RejectionLog } from '../http/rejections.ts';
import { parseInteraction } from './payload.ts';
import { MemoryReplayGuard, type ReplayGuard } from './replay-guard.ts';
import {
  answerButton, answerCommand, autocompleteChoices, discordContext, extractOptions, failureMessage,
  type ChartFile, type FlowOptions, type Responder,
} from './shared.ts';

export const DEFAULT_API_BASE = 'https://discord.com/api/v10';
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const USER_AGENT = 'DiscordBot (https://github.com/memwall/memwall, 0.1.0)';

/** Interaction types (receiving-and-responding: interaction-type). */
export const InteractionType = { Ping: 1, ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4, ModalSubmit: 5 } as const;
/** Callback types (receiving-and-responding: interaction-callback-type). */
export const CallbackType = { Pong: 1, ChannelMessage: 4, DeferredChannelMessage: 5, DeferredUpdate: 6, UpdateMessage: 7, AutocompleteResult: 8 } as const;

export interface DiscordInteractionsOptions extends FlowOptions {
  /** the application's public key, hex (Developer Portal → General Information) */
  publicKey: string;
  applicationId: string;
  /** default https://discord.com/api/v10; tests pass a loopback fake */
  apiBase?: string;
  context: () => Context;
  /** remembers interaction ids for the timestamp window (default: a bounded in-memory cache, one per handler) */
  replayGuard?: ReplayGuard;
  /** the clock for the timestamp window, ms since the epoch (default Date.now) */
  now?: () => number;
  /** refused unauthenticated requests are logged at most once per this many ms (default 60 s) */
  rejectionLogIntervalMs?: number;
}

/** The Ed25519 public key from its 32 raw bytes in hex. Throws a clear error for a malformed key. */
export function ed25519PublicKey(hex: string): KeyObject {
  const raw = /^[0-9a-f]{64}$/i.test(hex.trim()) ? Buffer.from(hex.trim(), 'hex') : null;
  if (!raw) throw new Error('DISCORD_PUBLIC_KEY must be 64 hex characters (the application public key)');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** True when `signatureHex` is a valid Ed25519 signature of timestamp + body under `key`. */
export function verifyDiscordSignature(key: KeyObject, signatureHex: string | undefined, timestamp: string | undefined, body: Buffer): boolean {
  if (!signatureHex || !timestamp || !/^[0-9a-f]{128}$/i.test(signatureHex)) return false;
  try {
    return verify(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The message as the API takes it: no pings from echoed text; attachments listed when a file goes with it. */
function wire(msg: DiscordMessage, opts: { edit?: boolean; file?: ChartFile } = {}): Record<string, unknown> {
  const { flags, ...rest } = msg;
  const body: Record<string, unknown> = { ...rest, allowed_mentions: { parse: [] } };
  // an edit cannot change a message's ephemeral state, so flags are only sent on new messages
  if (!opts.edit && flags !== undefined) body.flags = flags;
  if (opts.edit) body.attachments = opts.file ? [{ id: 0, filename: opts.file.name, description: opts.file.description }] : [];
  return body;
}

/** Webhook REST calls for one interaction token, with a bounded retry on 429. */
class Webhook {
  constructor(private base: string, private appId: string, private token: string, private log: (l: string) => void) {}

  private url(suffix: string): string {
    return `${this.base}/webhooks/${encodeURIComponent(this.appId)}/${encodeURIComponent(this.token)}${suffix}`;
  }

  /** The path for logs, with the token (a 15-minute credential) left out. */
  private safePath(method: string, suffix: string): string {
    return `${method} /webhooks/${this.appId}/<token>${suffix}`;
  }

  async send(method: 'PATCH' | 'POST' | 'DELETE', suffix: string, body?: Record<string, unknown>, file?: ChartFile): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { 'user-agent': USER_AGENT };
      let payload: BodyInit | undefined;
      if (body && file) {
        const form = new FormData();
        form.append('payload_json', JSON.stringify(body));
        form.append('files[0]', new Blob([new Uint8Array(file.data)], { type: 'image/png' }), file.name);
        payload = form;
      } else if (body) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      let res: Response;
      try {
        res = await fetch(this.url(suffix), { method, headers, body: payload, signal: AbortSignal.timeout(15_000) });
      } catch (e) {
        throw new Error(`${this.safePath(method, suffix)}: ${(e as Error).message}`);
      }
      if (res.ok) { await res.arrayBuffer().catch(() => undefined); return; }
      const text = await res.text().catch(() => '');
      if (res.status === 429 && attempt < 2) {
        let wait = Number(res.headers.get('retry-after'));
        try { wait = Number((JSON.parse(text) as { retry_after?: number }).retry_after ?? wait); } catch { /* keep header */ }
        await new Promise((r) => setTimeout(r, Math.min(5000, Math.max(0, Number.isFinite(wait) ? wait * 1000 : 1000))));
        continue;
      }
      this.log(`discord: ${this.safePath(method, suffix)} → ${res.status} ${text.slice(0, 300)}`);
      throw new Error(`${this.safePath(method, suffix)} → HTTP ${res.status}`);
    }
  }
}

/**
 * The Responder for an HTTP interaction: the first answer is the HTTP response itself; everything after it goes to
 * Discord's webhook routes for this interaction's token.
 */
function httpResponder(res: ServerResponse, hook: Webhook): Responder {
  const first = (body: unknown) => sendJson(res, 200, body);
  return {
    async reply(msg) { first({ type: CallbackType.ChannelMessage, data: wire(msg) }); },
    async defer(ephemeral) { first({ type: CallbackType.DeferredChannelMessage, ...(ephemeral ? { data: { flags: 64 } } : {}) }); },
    async update(msg) { first({ type: CallbackType.UpdateMessage, data: wire(msg, { edit: true }) }); },
    async deferUpdate() { first({ type: CallbackType.DeferredUpdate }); },
    async editOriginal(msg, file) { await hook.send('PATCH', '/messages/@original', wire(msg, { edit: true, file }), file); },
    async deleteOriginal() { await hook.send('DELETE', '/messages/@original'); },
    async followUp(msg) { await hook.send('POST', '', wire(msg)); },
  };
}

/** The request handler for POST /discord/interactions. Resolves when the interaction has been fully answered. */
export function createDiscordInteractionsHandler(opts: DiscordInteractionsOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const key = ed25519PublicKey(opts.publicKey);
  const apiBase = (opts.apiBase ?? DEFAULT_API_BASE).replace(/\/+$/, '');
  const log = opts.log ?? ((l: string) => console.error(l));
  const flow: FlowOptions = { ...opts, log };
  const now = opts.now ?? Date.now;
  const replayGuard = opts.replayGuard ?? new MemoryReplayGuard({ now });
  const rejections = new RejectionLog({ endpoint: 'discord', log, intervalMs: opts.rejectionLogIntervalMs, now });

  return async (req, res) => {
    try {
      if (req.method !== 'POST') { res.setHeader('allow', 'POST'); sendJson(res, 405, { error: 'method not allowed' }); return; }
      // authenticity first: size, signature, timestamp window; nothing in the body is looked at before these pass
      const raw = await readBodyWithin(req, DEFAULT_BODY_LIMIT).catch(() => undefined);
      if (raw === undefined) return; // the client went away mid-body: nobody to answer
      if (!raw) { rejections.reject('too_large'); refuse(res, 413, { error: 'request body too large' }); return; }
      const sig = req.headers['x-signature-ed25519'];
      const ts = req.headers['x-signature-timestamp'];
      if (!verifyDiscordSignature(key, typeof sig === 'string' ? sig : undefined, typeof ts === 'string' ? ts : undefined, raw)) {
        rejections.reject('signature');
        refuse(res, 401, { error: 'invalid request signature' });
        return;
      }
      // Discord's signature covers the timestamp but Discord checks no window: a captured request would stay valid
      // for ever. Only ±5 minutes is accepted, and each interaction id once within it.
      const when = timestampWithin(ts, now(), TIMESTAMP_WINDOW_MS);
      if (!when.ok) { rejections.reject('timestamp'); refuse(res, 401, { error: 'request timestamp outside the accepted window' }); return; }

      const parsed = parseInteraction(raw);
      if (!parsed.ok) {
        log(`discord: malformed interaction refused (400): ${parsed.problem}`);
        refuse(res, 400, { error: 'body is not an interaction' });
        return;
      }
      const it = parsed.interaction;
      if (it.id !== undefined) {
        let first: boolean;
        try {
          first = await replayGuard.firstSeen(it.id, when.ms + TIMESTAMP_WINDOW_MS);
        } catch (e) {
          log(`discord: the replay check failed, interaction ${it.id} refused (503): ${String((e as Error)?.message ?? e).split('\n')[0]}`);
          refuse(res, 503, { error: 'temporarily unable to check this request' });
          return;
        }
        if (!first) { rejections.reject('replay'); refuse(res, 401, { error: 'interaction already received' }); return; }
      }

      if (it.type === InteractionType.Ping) { sendJson(res, 200, { type: CallbackType.Pong }); return; }

      const hook = new Webhook(apiBase, opts.applicationId, it.token ?? '', log);
      const responder = httpResponder(res, hook);
      const ctx = () => discordContext(opts.context(), { channelId: it.channel?.id ?? it.channel_id, guildId: it.guild_id, permissions: it.member?.permissions });

      switch (it.type) {
        case InteractionType.ApplicationCommand: {
          let context: Context;
          try { context = ctx(); } catch (e) { log(`discord: building the context failed: ${(e as Error)?.stack ?? e}`); await responder.reply(failureMessage()); return; }
          await answerCommand(it.data?.name ?? '', extractOptions(it.data?.options), context, responder, flow);
          return;
        }
        case InteractionType.Autocomplete: {
          let choices: { name: string; value: string | number }[] = [];
          try { choices = autocompleteChoices(it.data?.name ?? '', it.data?.options, ctx()); } catch (e) { log(`discord: autocomplete failed: ${(e as Error)?.message ?? e}`); }
          sendJson(res, 200, { type: CallbackType.AutocompleteResult, data: { choices } });
          return;
        }
        case InteractionType.MessageComponent: {
          let context: Context;
          try { context = ctx(); } catch (e) { log(`discord: building the context failed: ${(e as Error)?.stack ?? e}`); await responder.reply(failureMessage()); return; }
          await answerButton(it.data?.custom_id ?? '', context, responder, flow);
          return;
        }
        default:
          refuse(res, 400, { error: `interaction type ${it.type} is not handled` });
      }
    } catch (e) {
      log(`discord: interaction failed: ${(e as Error)?.stack ?? e}`);
      sendJson(res, 500, { error: 'internal error' });
    }
  };
}
