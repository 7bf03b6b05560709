// Discord HTTP interactions: POST /discord/interactions (the caller routes the request here).
// Every request is verified (Ed25519 over timestamp + raw body) before anything else; PING → PONG; commands,
// autocomplete and buttons are answered through the shared flow, with follow-ups sent to Discord's webhook routes.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from '../../../commands/command.ts';
import type { DiscordMessage } from '../../reply/discord.ts';
import {
  answerButton, answerCommand, autocompleteChoices, discordContext, extractOptions, failureMessage,
  type ChartFile, type FlowOptions, type RawOption, type Responder,
} from './shared.ts';

export const DEFAULT_API_BASE = 'https://discord.com/api/v10';
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const MAX_BODY = 1024 * 1024;
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

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

interface Interaction {
  id?: string;
  type: number;
  token?: string;
  application_id?: string;
  channel_id?: string;
  channel?: { id?: string };
  guild_id?: string;
  member?: { permissions?: string };
  data?: { name?: string; options?: RawOption[]; custom_id?: string; component_type?: number };
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

  return async (req, res) => {
    try {
      if (req.method !== 'POST') { res.setHeader('allow', 'POST'); sendJson(res, 405, { error: 'method not allowed' }); return; }
      let raw: Buffer;
      try {
        raw = await readBody(req, MAX_BODY);
      } catch (e) {
        if (e instanceof BodyTooLarge) { sendJson(res, 413, { error: 'request body too large' }); req.resume(); return; }
        throw e;
      }
      const sig = req.headers['x-signature-ed25519'];
      const ts = req.headers['x-signature-timestamp'];
      if (!verifyDiscordSignature(key, typeof sig === 'string' ? sig : undefined, typeof ts === 'string' ? ts : undefined, raw)) {
        sendJson(res, 401, { error: 'invalid request signature' });
        return;
      }
      let it: Interaction;
      try {
        it = JSON.parse(raw.toString('utf8')) as Interaction;
        if (!it || typeof it !== 'object' || typeof it.type !== 'number') throw new Error('no type');
      } catch {
        sendJson(res, 400, { error: 'body is not an interaction' });
        return;
      }

      if (it.type === InteractionType.Ping) { sendJson(res, 200, { type: CallbackType.Pong }); return; }

      const hook = new Webhook(apiBase, opts.applicationId, it.token ?? '', log);
      const responder = httpResponder(res, hook);
      const ctx = () => discordContext(opts.context(), { channelId: it.channel?.id ?? it.channel_id, guildId: it.guild_id, permissions: it.member?.permissions });

      switch (it.type) {
        case InteractionType.ApplicationCommand: {
          const name = it.data?.name ?? '';
          let context: Context;
          try { context = ctx(); } catch (e) { log(`discord: building the context failed: ${(e as Error)?.stack ?? e}`); await responder.reply(failureMessage()); return; }
          await answerCommand(name, extractOptions(it.data?.options), context, responder, flow);
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
          sendJson(res, 400, { error: `interaction type ${it.type} is not handled` });
      }
    } catch (e) {
      log(`discord: interaction failed: ${(e as Error)?.stack ?? e}`);
      sendJson(res, 500, { error: 'internal error' });
    }
  };
}
