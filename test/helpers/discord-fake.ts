// Loopback stand-ins for Discord: a fake REST API that records every request (multipart parts parsed by hand, so the
// wire format is checked independently of the client that produced it), an HTTP server that routes
// POST /discord/interactions to a handler, and Ed25519 signing the way Discord signs interactions.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { catalog } from '../../src/catalog/load.ts';
import { createDiscordInteractionsHandler, type DiscordInteractionsOptions } from '../../src/platforms/discord/interactions.ts';

export interface Part { name: string; filename?: string; contentType?: string; data: Buffer }

export interface Recorded {
  method: string;
  path: string;
  /** the path without its query, percent-decoded (discord.js sends "@original" as "%40original") */
  route: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  json?: any;
  parts?: Part[];
}

export interface FakeDiscord {
  /** API base to hand to the code under test, e.g. http://127.0.0.1:1234/api/v10 */
  apiBase: string;
  requests: Recorded[];
  /** answer the next requests matching `path` (substring) with this status and body, once each */
  failNext(path: string, status: number, body: unknown, times?: number): void;
  waitFor<T>(fn: () => T | undefined | false | null, what: string, timeoutMs?: number): Promise<T>;
  /** the fake gateway (WebSocket on the same port, announced by GET /gateway/bot) */
  gateway: FakeGateway;
  close(): Promise<void>;
}

export interface FakeGateway {
  /** every payload clients sent (IDENTIFY, heartbeats, …) */
  received: any[];
  /** open connections */
  connections: number;
  /** send a dispatch (op 0) to every connected client */
  dispatch(t: string, d: unknown): void;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A minimal multipart/form-data parser (RFC 7578): enough to check what a client really sent. */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw new Error(`no boundary in ${contentType}`);
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(boundary);
  if (pos < 0) throw new Error('boundary not found in body');
  while (true) {
    pos += boundary.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing boundary
    pos += 2; // CRLF after the boundary
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    const headerText = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(boundary, headerEnd + 4);
    if (headerEnd < 0 || next < 0) throw new Error('truncated multipart body');
    const data = body.subarray(headerEnd + 4, next - 2); // minus the CRLF before the boundary
    const disp = /content-disposition:[^\r\n]*/i.exec(headerText)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disp)?.[1] ?? '';
    const filename = /\bfilename="([^"]*)"/i.exec(disp)?.[1];
    const contentTypeHeader = /content-type:\s*([^\r\n]+)/i.exec(headerText)?.[1];
    parts.push({ name, filename, contentType: contentTypeHeader, data: Buffer.from(data) });
    pos = next;
  }
  return parts;
}

export async function startFakeDiscord(): Promise<FakeDiscord> {
  const requests: Recorded[] = [];
  const failures: { path: string; status: number; body: unknown; times: number }[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const ct = String(req.headers['content-type'] ?? '');
    const rec: Recorded = { method: req.method ?? '', path: req.url ?? '', route: decodeURIComponent((req.url ?? '').split('?')[0]), headers: req.headers, body };
    if (ct.startsWith('application/json') && body.length) rec.json = JSON.parse(body.toString('utf8'));
    if (ct.startsWith('multipart/form-data')) rec.parts = parseMultipart(body, ct);
    requests.push(rec);
    const fail = failures.find((f) => rec.path.includes(f.path) && f.times > 0);
    if (fail) {
      fail.times--;
      res.writeHead(fail.status, { 'content-type': 'application/json' }).end(JSON.stringify(fail.body));
      return;
    }
    if (req.method === 'GET' && rec.path.endsWith('/gateway/bot')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      }));
      return;
    }
    if (req.method === 'DELETE') { res.writeHead(204).end(); return; }
    if (req.method === 'PUT' && /\/commands$/.test(rec.path)) {
      const defs = (rec.json ?? []) as Record<string, unknown>[];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(defs.map((d, i) => ({ id: String(1000 + i), application_id: 'app', version: '1', ...d }))));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: '42', type: 0, content: '' }));
  });
  const gateway = fakeGateway(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}/api/v10`,
    gateway,
    requests,
    failNext(path, status, body, times = 1) { failures.push({ path, status, body, times }); },
    async waitFor(fn, what, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const v = fn();
        if (v) return v;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`timed out waiting for ${what}; fake Discord saw: ${requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'nothing'}`);
    },
    close: () => new Promise<void>((r) => { gateway.destroy(); server.closeAllConnections(); server.close(() => r()); }),
  };
}

// ---- a minimal Discord gateway over a hand-written WebSocket (RFC 6455: handshake, text/close/ping frames) ----

function wsFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len])
    : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
    : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
  return Buffer.concat([head, payload]);
}

/**
 * Speaks just enough of the gateway for discord.js to log in: HELLO, IDENTIFY → READY (no guilds), heartbeat ACKs,
 * then whatever dispatches the test sends (INTERACTION_CREATE).
 */
function fakeGateway(server: Server): FakeGateway & { destroy(): void } {
  const sockets = new Set<Socket>();
  const received: any[] = [];
  let seq = 0;
  const send = (s: Socket, payload: unknown) => { if (!s.destroyed) s.write(wsFrame(1, Buffer.from(JSON.stringify(payload)))); };
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const opcode = buf[0] & 0x0f;
        const masked = (buf[1] & 0x80) !== 0;
        let len = buf[1] & 0x7f, off = 2;
        if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
        else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
        const mask = masked ? buf.subarray(off, off + 4) : undefined;
        if (masked) off += 4;
        if (buf.length < off + len) return;
        const payload = Buffer.from(buf.subarray(off, off + len));
        if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
        buf = buf.subarray(off + len);
        if (opcode === 8) { socket.end(wsFrame(8, payload.subarray(0, 2))); sockets.delete(socket); return; }
        if (opcode === 9) { socket.write(wsFrame(10, payload)); continue; }
        if (opcode !== 1) continue;
        const msg = JSON.parse(payload.toString('utf8'));
        received.push(msg);
        if (msg.op === 1) send(socket, { op: 11 });
        if (msg.op === 2) {
          send(socket, { op: 0, t: 'READY', s: ++seq, d: {
            v: 10, user: { id: '1111', username: 'memwall', discriminator: '0', global_name: null, avatar: null, bot: true },
            guilds: [], session_id: 'session-1', resume_gateway_url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
            application: { id: 'app-123', flags: 0 },
          } });
        }
      }
    });
    send(socket, { op: 10, d: { heartbeat_interval: 45_000 } });
  });
  return {
    received,
    get connections() { return sockets.size; },
    dispatch(t, d) { for (const s of sockets) send(s, { op: 0, t, s: ++seq, d }); },
    destroy() { for (const s of sockets) s.destroy(); sockets.clear(); },
  };
}

/** A node:http server on 127.0.0.1 that routes POST /discord/interactions to `handler` (404 for anything else). */
export async function startInteractionsServer(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === '/discord/interactions') { void handler(req, res); return; }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/discord/interactions`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export interface Signer { publicKeyHex: string; privateKey: KeyObject }

/** A fresh Ed25519 key pair; the public key as Discord shows it (32 raw bytes, hex). */
export function newSigner(): Signer {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { publicKeyHex: der.subarray(12).toString('hex'), privateKey };
}

export function signature(signer: Signer, timestamp: string, body: string): string {
  return sign(null, Buffer.from(timestamp + body), signer.privateKey).toString('hex');
}

export interface Posted { status: number; json: any; text: string }

/** POST an interaction the way Discord does: headers X-Signature-Ed25519 and X-Signature-Timestamp over ts + body. */
export async function postInteraction(url: string, signer: Signer | null, payload: unknown, opts: { body?: string; sign?: string; timestamp?: string } = {}): Promise<Posted> {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const ts = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)' };
  if (signer) {
    headers['x-signature-ed25519'] = signature(signer, ts, opts.sign ?? text);
    headers['x-signature-timestamp'] = ts;
  }
  const res = await fetch(url, { method: 'POST', headers, body: opts.body ?? text });
  const body = await res.text();
  let json: any;
  try { json = JSON.parse(body); } catch { json = undefined; }
  return { status: res.status, json, text: body };
}

let seq = 0;
/** An interaction as Discord sends it (guild channel, a member with the given permissions). */
export function interaction(type: number, data: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    id: `9000${seq}`,
    application_id: 'app-123',
    type,
    token: `tok-${seq}-SECRET`,
    version: 1,
    channel_id: 'chan-1',
    channel: { id: 'chan-1', type: 0, guild_id: 'guild-1', name: 'general' },
    guild_id: 'guild-1',
    guild: { id: 'guild-1', locale: 'en-US', features: [] },
    member: { permissions: '0', roles: [], joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0,
      user: { id: 'user-1', username: 'tester', discriminator: '0', global_name: 'Tester', avatar: null } },
    app_permissions: '2251799813685247',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': 'guild-1' },
    context: 0,
    attachment_size_limit: 10485760,
    ...(data ? { data } : {}),
    ...extra,
  };
}

export const opt = (name: string, value: string | number, type = typeof value === 'number' ? 4 : 3) => ({ name, type, value });
export const command = (name: string, options: unknown[] = []) => interaction(2, { id: 'cmd-1', name, type: 1, options });

/**
 * A fake Discord API, a signer, and interactions handlers on loopback servers: `endpoint(extra)` starts one more
 * handler with the given options over the defaults; `logs` collects what every handler logged.
 */
export interface InteractionsFixture {
  signer: Signer; fake: FakeDiscord; logs: string[];
  endpoint(extra?: Partial<DiscordInteractionsOptions>): Promise<string>;
  close(): Promise<void>;
}

export async function startInteractionsFixture(applicationId: string): Promise<InteractionsFixture> {
  const signer = newSigner();
  const fake = await startFakeDiscord();
  const logs: string[] = [];
  const servers: { close(): Promise<void> }[] = [];
  return {
    signer, fake, logs,
    async endpoint(extra = {}) {
      const handler = createDiscordInteractionsHandler({
        publicKey: signer.publicKeyHex, applicationId, apiBase: fake.apiBase,
        context: () => ({ catalog: catalog() }), log: (l) => logs.push(l), ...extra,
      });
      const s = await startInteractionsServer(handler);
      servers.push(s);
      return s.url;
    },
    async close() {
      for (const s of servers) await s.close();
      await fake.close();
    },
  };
}
