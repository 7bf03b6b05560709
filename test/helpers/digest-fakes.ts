// Loopback fakes for the digest posters: the Discord REST API (POST /channels/:id/messages) and the Slack Web API
// (chat.postMessage and the external file upload flow). Both record every request as received on the wire (arrival
// time by Date.now(), so it is fake time when a test fakes Date) and answer from a script when told to fail.
// Plus a recording stand-in for the playground, and helpers to drive code that sleeps on fake timers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import { parseMultipart, type Part } from './discord-fake.ts';
import { answer, type Reply } from '../../src/reply/reply.ts';
import type { Digest, Subscription } from '../../src/digest/types.ts';

/** captured at import, before any test installs fake timers */
const realSetTimeout = globalThis.setTimeout;
/** a real pause (not affected by fake timers): lets loopback I/O happen */
export const realDelay = (ms: number) => new Promise<void>((r) => realSetTimeout(r, ms));

export interface Req {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Date.now() when it arrived */
  at: number;
  json?: any;
  form?: Record<string, string>;
  parts?: Part[];
}

export interface Scripted { status: number; body?: unknown; headers?: Record<string, string>; /** hold the answer this long (real ms) */ delayMs?: number }

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function record(req: IncomingMessage): Promise<Req> {
  const body = await readBody(req);
  const ct = String(req.headers['content-type'] ?? '');
  const rec: Req = { method: req.method ?? '', path: (req.url ?? '').split('?')[0], headers: req.headers, body, at: Date.now() };
  if (ct.startsWith('application/json') && body.length) rec.json = JSON.parse(body.toString('utf8'));
  else if (ct.startsWith('application/x-www-form-urlencoded')) rec.form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  else if (ct.startsWith('multipart/form-data')) rec.parts = parseMultipart(body, ct);
  return rec;
}

async function reply(res: ServerResponse, r: Scripted): Promise<void> {
  if (r.delayMs) await realDelay(r.delayMs);
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {});
  res.writeHead(r.status, { 'content-type': typeof r.body === 'string' ? 'text/plain' : 'application/json', ...(r.headers ?? {}) }).end(text);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closer = (server: Server) => () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });

// ---- Discord ----------------------------------------------------------------------------------------------------------

export interface FakeDiscordRest {
  apiBase: string;
  requests: Req[];
  /** the message posts to one channel (requests, including ones answered with an existing message) */
  posts(channelId: string): Req[];
  /**
   * Messages really created in a channel. As Discord does with `enforce_nonce: true`, a create whose nonce was already
   * used by this bot returns the earlier message and creates nothing (docs: resources/message#create-message).
   */
  created(channelId?: string): { id: string; channelId: string; nonce?: string }[];
  /** create the message at once, but hold the answer this long (real ms): the "accepted, not yet answered" window */
  slowCreate: Map<string, number>;
  /** channels that answer 404 Unknown Channel (10003) */
  gone: Set<string>;
  /** channels that answer 403 with this Discord error code (50001 Missing Access, 50013 Missing Permissions) */
  forbidden: Map<string, number>;
  /** answer the next requests to this channel with these responses, in order */
  script(channelId: string, ...responses: Scripted[]): void;
  close(): Promise<void>;
}

export async function startFakeDiscordRest(): Promise<FakeDiscordRest> {
  const requests: Req[] = [];
  const gone = new Set<string>();
  const forbidden = new Map<string, number>();
  const scripts = new Map<string, Scripted[]>();
  const created: { id: string; channelId: string; nonce?: string }[] = [];
  const byNonce = new Map<string, { id: string; channelId: string; nonce?: string }>();
  const slowCreate = new Map<string, number>();
  let nextId = 1000;
  const server = createServer(async (req, res) => {
    const rec = await record(req);
    requests.push(rec);
    const m = /^\/api\/v10\/channels\/([^/]+)\/messages$/.exec(rec.path);
    if (!m || rec.method !== 'POST') return reply(res, { status: 404, body: { message: '404: Not Found', code: 0 } });
    const channel = decodeURIComponent(m[1]);
    const queued = scripts.get(channel)?.shift();
    if (queued) return reply(res, queued);
    if (gone.has(channel)) return reply(res, { status: 404, body: { message: 'Unknown Channel', code: 10003 } });
    if (forbidden.has(channel)) {
      const code = forbidden.get(channel)!;
      return reply(res, { status: 403, body: { message: code === 50001 ? 'Missing Access' : 'Missing Permissions', code } });
    }
    const payload = discordPayload(rec) ?? {};
    const nonce = typeof payload.nonce === 'string' || typeof payload.nonce === 'number' ? String(payload.nonce) : undefined;
    const earlier = nonce && payload.enforce_nonce === true ? byNonce.get(nonce) : undefined;
    if (earlier) return reply(res, { status: 200, body: { id: earlier.id, channel_id: earlier.channelId, nonce, type: 0 } });
    const msg = { id: String(++nextId), channelId: channel, ...(nonce ? { nonce } : {}) };
    created.push(msg);
    if (nonce && payload.enforce_nonce === true) byNonce.set(nonce, msg);
    return reply(res, { status: 200, body: { id: msg.id, channel_id: channel, type: 0, ...(nonce ? { nonce } : {}) }, delayMs: slowCreate.get(channel) });
  });
  const base = await listen(server);
  return {
    apiBase: `${base}/api/v10`,
    requests,
    created: (channelId) => created.filter((c) => channelId === undefined || c.channelId === channelId),
    slowCreate,
    posts: (channelId) => requests.filter((r) => r.path === `/api/v10/channels/${channelId}/messages`),
    gone,
    forbidden,
    script(channelId, ...responses) { scripts.set(channelId, [...(scripts.get(channelId) ?? []), ...responses]); },
    close: closer(server),
  };
}

/** The message JSON a Discord request carried, whether sent as JSON or as multipart payload_json. */
export function discordPayload(r: Req): any {
  if (r.json) return r.json;
  const p = r.parts?.find((x) => x.name === 'payload_json');
  return p ? JSON.parse(p.data.toString('utf8')) : undefined;
}

// ---- Slack ------------------------------------------------------------------------------------------------------------

export interface FakeSlackApi {
  apiUrl: string;
  requests: Req[];
  /** the calls of one Web API method */
  api(method: string): Req[];
  /** bytes received at upload URLs */
  uploads: Req[];
  /** chat.postMessage to this channel answers ok:false with this error */
  channelErrors: Map<string, string>;
  /** messages in each channel, as conversations.history returns them (with metadata) */
  messages(channelId: string): { ts: string; text: string; metadata?: { event_type: string; event_payload: Record<string, unknown> } }[];
  /** post the message at once, but hold the answer this long (real ms) */
  slowCreate: Map<string, number>;
  /** answer the next calls of a method with these responses, in order */
  script(method: string, ...responses: Scripted[]): void;
  close(): Promise<void>;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const requests: Req[] = [];
  const uploads: Req[] = [];
  const channelErrors = new Map<string, string>();
  const scripts = new Map<string, Scripted[]>();
  const history = new Map<string, { ts: string; text: string; metadata?: { event_type: string; event_payload: Record<string, unknown> } }[]>();
  const slowCreate = new Map<string, number>();
  let base = '', files = 0, ts = 0;
  const server = createServer(async (req, res) => {
    const rec = await record(req);
    requests.push(rec);
    if (rec.path.startsWith('/upload/')) { uploads.push(rec); return reply(res, { status: 200, body: 'OK - uploaded' }); }
    const m = /^\/api\/(.+)$/.exec(rec.path);
    if (!m) return reply(res, { status: 404, body: 'not found' });
    const method = m[1];
    const queued = scripts.get(method)?.shift();
    if (queued) return reply(res, queued);
    if (rec.headers.authorization !== 'Bearer xoxb-test') return reply(res, { status: 200, body: { ok: false, error: 'invalid_auth' } });
    const params = rec.form ?? rec.json ?? {};
    switch (method) {
      case 'chat.postMessage': {
        const err = channelErrors.get(params.channel);
        if (err) return reply(res, { status: 200, body: { ok: false, error: err } });
        const msg = { ts: `1700000000.${String(++ts).padStart(6, '0')}`, text: params.text ?? '', ...(params.metadata ? { metadata: JSON.parse(params.metadata) } : {}) };
        history.set(params.channel, [msg, ...(history.get(params.channel) ?? [])]);
        return reply(res, { status: 200, body: { ok: true, channel: params.channel, ts: msg.ts }, delayMs: slowCreate.get(params.channel) });
      }
      case 'conversations.history': {
        // metadata only comes back when asked for (include_all_metadata), as on Slack
        const all = params.include_all_metadata === 'true' || params.include_all_metadata === true;
        const msgs = (history.get(params.channel) ?? []).map((m) => (all ? m : { ts: m.ts, text: m.text }));
        return reply(res, { status: 200, body: { ok: true, messages: msgs, has_more: false } });
      }
      case 'files.getUploadURLExternal': {
        const id = `F${++files}`;
        return reply(res, { status: 200, body: { ok: true, upload_url: `${base}/upload/${id}`, file_id: id } });
      }
      case 'files.completeUploadExternal':
        return reply(res, { status: 200, body: { ok: true, files: JSON.parse(params.files ?? '[]') } });
      default:
        return reply(res, { status: 200, body: { ok: false, error: 'unknown_method' } });
    }
  });
  base = await listen(server);
  return {
    apiUrl: `${base}/api/`,
    requests,
    api: (method) => requests.filter((r) => r.path === `/api/${method}`),
    uploads,
    channelErrors,
    messages: (channelId) => history.get(channelId) ?? [],
    slowCreate,
    script(method, ...responses) { scripts.set(method, [...(scripts.get(method) ?? []), ...responses]); },
    close: closer(server),
  };
}

// ---- playground, digests, driving fake time -----------------------------------------------------------------------

export interface RecordingPlayground {
  posted: { channelId: string; reply: Reply; at: number }[];
  post(channelId: string, reply: Reply): Promise<void>;
}

export function recordingPlayground(): RecordingPlayground {
  const posted: RecordingPlayground['posted'] = [];
  return { posted, async post(channelId, reply) { posted.push({ channelId, reply, at: Date.now() }); } };
}

/** a small PNG-looking buffer (the posters only pass bytes through) */
export const FAKE_PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake chart bytes')]);

/** A digest builder that counts its calls; the digest names the channel and slot number. */
export function testBuild(opts: { chart?: boolean } = {}) {
  const calls: { sub: Subscription; now: Date }[] = [];
  const build = async (sub: Subscription, now: Date): Promise<Digest> => {
    calls.push({ sub, now });
    const reply = answer(`Digest for ${sub.channelId}`, `Digest #${sub.postCount + 1} on ${sub.model}`, {
      fields: [{ name: 'Model', value: sub.model }],
      ...(opts.chart ? { chart: { spec: { mark: 'point' }, alt: 'landscape chart' } } : {}),
    });
    return { reply, snapshot: `snapshot-${sub.channelId}-${sub.postCount + 1}` };
  };
  return { build, calls };
}

/** Wait (in real time) until `fn` is truthy; for loopback I/O. */
export async function until<T>(fn: () => T | undefined | null | false, what: string, ms = 5000): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await realDelay(5);
  }
}

/**
 * Let a promise that interleaves loopback I/O with fake-timer sleeps run to the end: alternately give real I/O a
 * moment and move fake time forward by `stepMs`.
 */
export async function drive<T>(p: Promise<T>, stepMs = 100, maxSteps = 10_000): Promise<T> {
  let done = false;
  const watched = p.finally(() => { done = true; });
  for (let i = 0; i < maxSteps && !done; i++) {
    await realDelay(2);
    if (!done) await vi.advanceTimersByTimeAsync(stepMs);
  }
  return watched;
}
