// The local playground: a chat page on 127.0.0.1 where a person types the same slash commands as on Discord/Slack
// and sees the same replies, charts and buttons, and where scheduled digests land. The caller owns the HTTP server
// (bound to 127.0.0.1) and calls handle() first for every request.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '../../../commands/command.ts';
import { renderChart } from '../../charts/render.ts';
import { errorReply, type Reply } from '../../reply/reply.ts';
import { pressButton, runCommand } from '../dispatch.ts';
import { completeSlash, parseSlash } from './slash.ts';

export const DEFAULT_CHANNEL = 'local-general';
const ASSET_DIR = join(dirname(fileURLToPath(import.meta.url)), 'playground');
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};
/** Nothing on the page may come from elsewhere, and nothing inline may run. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const CHANNEL_ID = /^[A-Za-z0-9][\w.-]{0,63}$/;
const MAX_BODY = 64 * 1024;

export interface PlaygroundOptions {
  /** the Context a command runs with in a channel (the playground sets channel = local/<id>, canManage) */
  context: (channelId: string) => Context;
  /** charts kept for GET /api/chart/<id>.png (default 50) */
  chartCache?: number;
  /** messages kept per channel for GET /api/messages (default 100) */
  history?: number;
}

/** What the page gets for a reply: the neutral Reply, and where its chart image is (when it rendered). */
export interface Delivered { reply: Reply; chartUrl?: string }
export interface Posted extends Delivered { seq: number; channel: string; at: string }

export interface Playground {
  /** true when the request was one of the playground's routes (and has been answered) */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** a message arriving in a channel without anyone asking, e.g. a scheduled digest */
  post(channelId: string, reply: Reply): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', ...extra });
  res.end(body);
}
const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store' });

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'send JSON (Content-Type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request too large');
    chunks.push(chunk as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'the body is not a JSON object');
  }
}

function channelOf(v: unknown): string {
  if (v === undefined || v === null || v === '') return DEFAULT_CHANNEL;
  if (typeof v !== 'string' || !CHANNEL_ID.test(v)) throw new HttpError(400, 'channel must be letters, digits, "-", "_" or "." (up to 64)');
  return v;
}

/**
 * Only pages served from this machine may call the API: the Host must be a loopback name (against DNS rebinding),
 * and a browser's Origin, when sent, must match it (against other sites posting to 127.0.0.1).
 */
function fromLoopback(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').toLowerCase();
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true; // same-origin GETs, curl, tests
  return origin.toLowerCase() === `http://${host}`;
}

export function createPlayground(opts: PlaygroundOptions): Playground {
  const charts = new Map<string, Buffer>();
  const maxCharts = opts.chartCache ?? 50;
  const maxHistory = opts.history ?? 100;
  const messages = new Map<string, Posted[]>();
  const channels = new Set<string>([DEFAULT_CHANNEL]);
  let seq = 0;
  const assets = new Map<string, Buffer>();

  function asset(file: string): Buffer {
    let b = assets.get(file);
    if (!b) { b = readFileSync(join(ASSET_DIR, file)); assets.set(file, b); }
    return b;
  }

  /** Render the reply's chart (if any) into the cache; a failed render just leaves the image out. */
  async function deliver(reply: Reply): Promise<Delivered> {
    if (!reply.chart) return { reply };
    const png = await renderChart(reply.chart);
    if (!png) return { reply };
    const id = randomUUID();
    charts.set(id, png);
    while (charts.size > maxCharts) charts.delete(charts.keys().next().value!);
    return { reply, chartUrl: `/api/chart/${id}.png` };
  }

  function context(channel: string): Context {
    const base = opts.context(channel);
    return { ...base, channel: { platform: 'local', id: channel, canManage: true } };
  }

  async function command(body: Record<string, unknown>): Promise<Delivered> {
    const channel = channelOf(body.channel);
    channels.add(channel);
    if (typeof body.text !== 'string') throw new HttpError(400, 'text must be a string');
    const parsed = parseSlash(body.text);
    if ('error' in parsed) return { reply: errorReply(parsed.error) };
    return deliver(await runCommand(parsed.name, parsed.options, context(channel)));
  }

  async function button(body: Record<string, unknown>): Promise<Delivered> {
    const channel = channelOf(body.channel);
    if (typeof body.id !== 'string' || body.id.length > 300) throw new HttpError(400, 'id must be a button id');
    return deliver(await pressButton(body.id, context(channel)));
  }

  function since(url: URL): { messages: Posted[]; seq: number; channels: string[] } {
    const after = Number(url.searchParams.get('since') ?? 0);
    if (!Number.isFinite(after) || after < 0) throw new HttpError(400, 'since must be a message number');
    const ch = url.searchParams.get('channel');
    const pool = ch ? messages.get(channelOf(ch)) ?? [] : [...messages.values()].flat().sort((a, b) => a.seq - b.seq);
    return { messages: pool.filter((m) => m.seq > after), seq, channels: [...channels] };
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const only = (m: string) => { if (method !== m) throw new HttpError(405, `use ${m}`); };

    if (path in ASSETS) {
      only('GET');
      const a = ASSETS[path];
      send(res, 200, asset(a.file), a.type, { 'Content-Security-Policy': CSP, 'Cache-Control': 'no-cache' });
      return true;
    }
    if (!path.startsWith('/api/')) return false;
    if (!fromLoopback(req)) throw new HttpError(403, 'the playground answers only pages served from this machine');

    const chart = /^\/api\/chart\/([0-9a-f-]{36})\.png$/.exec(path);
    if (chart) {
      only('GET');
      const png = charts.get(chart[1]);
      if (!png) throw new HttpError(404, 'that chart has expired; run the command again');
      send(res, 200, png, 'image/png', { 'Cache-Control': 'private, max-age=3600' });
      return true;
    }
    switch (path) {
      case '/api/command': only('POST'); json(res, 200, await command(await readJson(req))); return true;
      case '/api/button': only('POST'); json(res, 200, await button(await readJson(req))); return true;
      case '/api/autocomplete': {
        only('GET');
        const text = url.searchParams.get('text') ?? '';
        const channel = channelOf(url.searchParams.get('channel'));
        json(res, 200, { suggestions: completeSlash(text, context(channel)).slice(0, 25) });
        return true;
      }
      case '/api/messages': only('GET'); json(res, 200, since(url)); return true;
      default: throw new HttpError(404, 'no such playground route');
    }
  }

  return {
    async handle(req, res) {
      let url: URL;
      try { url = new URL(req.url ?? '/', 'http://playground.local'); } catch { return false; }
      try {
        return await route(req, res, url);
      } catch (e) {
        const status = e instanceof HttpError ? e.status : 500;
        if (status === 500) console.error('playground: request failed:', e);
        if (!res.headersSent) json(res, status, { error: e instanceof HttpError ? e.message : 'something went wrong on my side; it has been logged' });
        else res.end();
        return true;
      }
    },

    async post(channelId, reply) {
      const channel = channelOf(channelId);
      channels.add(channel);
      const delivered = await deliver(reply);
      const list = messages.get(channel) ?? [];
      list.push({ ...delivered, seq: ++seq, channel, at: new Date().toISOString() });
      while (list.length > maxHistory) list.shift();
      messages.set(channel, list);
    },
  };
}
