// The playground's HTTP routes over real HTTP on 127.0.0.1 (the browser test drives the page itself).
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Command, Context } from '../commands/command.ts';
import { COMMANDS } from '../commands/index.ts';
import { catalog } from '../src/catalog/load.ts';
import { createPlayground, type Playground } from '../src/platforms/local/playground.ts';
import { answer, type Reply } from '../src/reply/reply.ts';

let server: Server;
let base: string;
let pg: Playground;
const seen: Context[] = [];

beforeAll(async () => {
  pg = createPlayground({ context: (id) => { const c: Context = { catalog: catalog(), channel: { platform: 'discord', id: 'ignored' } }; seen.push(c); void id; return c; }, chartCache: 3 });
  server = createServer(async (req, res) => {
    if (await pg.handle(req, res)) return;
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not the playground');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const postJson = (path: string, body: unknown) => fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const command = async (text: string, channel = 'local-general') => {
  const res = await postJson('/api/command', { channel, text });
  expect(res.status).toBe(200);
  return (await res.json()) as { reply: Reply; chartUrl?: string };
};

/** A request with headers fetch will not let us set (Host). */
function raw(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(base + path);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('playground routes', () => {
  it('serves the page and its assets with a strict Content-Security-Policy and no external URLs', async () => {
    const res = await fetch(base + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await res.text();
    expect(html).toContain('<script src="/app.js"');
    for (const asset of ['/app.js', '/style.css', '/favicon.svg']) {
      const a = await fetch(base + asset);
      expect(a.status, asset).toBe(200);
      const text = await a.text();
      expect(text, `${asset} must not load anything from elsewhere`).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\/|@import|url\(\s*["']?https?:|cdn\./i);
    }
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('leaves routes that are not its own to the caller', async () => {
    const res = await fetch(base + '/discord/interactions', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('not the playground');
  });

  it('runs a command in the asked channel, as a local channel the user can manage', async () => {
    const before = seen.length;
    const { reply, chartUrl } = await command('/fit llama-70b cerebras', 'team-infra');
    expect(reply.kind).toBe('answer');
    expect(reply.summary).toMatch(/4 wafers/);
    expect(chartUrl).toBeUndefined();
    expect(seen.length).toBe(before + 1);
    // a command sees the playground's channel, whatever the caller's context said
    const whereami: Command<any> = {
      name: 'whereami', description: 'test', options: [], input: z.object({}),
      run: (_o, ctx) => answer('here', JSON.stringify(ctx.channel)),
    };
    COMMANDS.push(whereami);
    try {
      const r = (await command('/whereami', 'team-infra')).reply;
      expect(JSON.parse(r.summary)).toEqual({ platform: 'local', id: 'team-infra', canManage: true });
    } finally {
      COMMANDS.splice(COMMANDS.indexOf(whereami), 1);
    }
  });

  it('renders a chart and serves it as a PNG', async () => {
    const { reply, chartUrl } = await command('/compare groq etched decode');
    expect(reply.kind).toBe('answer');
    expect(reply.buttons.map((b) => b.label)).toEqual(['Prefill', 'Decode', 'Both']);
    expect(chartUrl).toMatch(/^\/api\/chart\/[0-9a-f-]{36}\.png$/);
    const img = await fetch(base + chartUrl!);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await img.arrayBuffer());
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('keeps only the last N charts', async () => {
    const first = (await command('/compare groq etched decode')).chartUrl!;
    for (let i = 0; i < 3; i++) await command('/compare h100 b200 decode');
    expect((await fetch(base + first)).status).toBe(404);
    expect((await fetch(base + '/api/chart/00000000-0000-0000-0000-000000000000.png')).status).toBe(404);
  });

  it('presses a button and returns the updated reply', async () => {
    const { reply } = await command('/compare groq etched decode');
    const prefill = reply.buttons.find((b) => b.label === 'Prefill')!;
    const res = await postJson('/api/button', { channel: 'local-general', id: prefill.id });
    const pressed = (await res.json()) as { reply: Reply; chartUrl?: string };
    expect(pressed.reply.buttons.find((b) => b.active)?.label).toBe('Prefill');
    expect(pressed.reply.table!.rows.map((r) => r[0])).toContain('First token');
    expect(reply.table!.rows.map((r) => r[0])).not.toContain('First token');
    const stale = await (await postJson('/api/button', { channel: 'local-general', id: 'nope:1' })).json();
    expect(stale.reply.kind).toBe('error');
  });

  it('answers bad input politely, never with a stack trace', async () => {
    for (const text of ['/compare groq cerebrass', '/fitt x', 'hello', '/fit llama-70b cerebras batch:-3', '/model "unclosed']) {
      const { reply } = await command(text);
      expect(reply.kind, text).toBe('error');
      expect(reply.private).toBe(true);
      expect(reply.summary, text).not.toMatch(/\bat .*\.ts:\d+|TypeError|ZodError/);
    }
    expect((await command('/compare groq cerebrass')).reply.summary).toMatch(/Did you mean/);
  });

  it('refuses malformed requests with a short JSON error', async () => {
    const notJson = await fetch(base + '/api/command', { method: 'POST', body: '{"text":"/fit"}', headers: { 'Content-Type': 'text/plain' } });
    expect(notJson.status).toBe(415);
    const broken = await fetch(base + '/api/command', { method: 'POST', body: '{', headers: { 'Content-Type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error).toMatch(/JSON/);
    expect((await postJson('/api/command', { channel: '../etc', text: '/help' })).status).toBe(400);
    expect((await postJson('/api/command', { channel: 'x', text: 42 })).status).toBe(400);
    expect((await fetch(base + '/api/command')).status).toBe(405);
    expect((await postJson('/api/command', { text: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await fetch(base + '/api/nothing')).status).toBe(404);
  });

  it('answers only pages from this machine (Host and Origin checked)', async () => {
    expect((await raw('/api/messages', { Host: 'evil.example:80' })).status).toBe(403);
    expect((await raw('/api/messages', { Host: `localhost:${new URL(base).port}` })).status).toBe(200);
    expect((await raw('/api/messages', { Host: new URL(base).host, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw('/api/messages', { Host: new URL(base).host, Origin: base })).status).toBe(200);
  });

  it('autocompletes the command name and the option under the cursor, at most 25', async () => {
    const get = async (text: string) => ((await (await fetch(`${base}/api/autocomplete?text=${encodeURIComponent(text)}`)).json()) as { suggestions: { label: string; text: string }[] }).suggestions;
    expect((await get('/com'))[0].text).toBe('/compare ');
    const models = await get('/fit llama-3.1-7');
    expect(models[0].text).toBe('/fit llama-3.1-70b ');
    const chips = await get('/fit llama-70b ');
    expect(chips.length).toBeGreaterThan(0);
    expect(chips.length).toBeLessThanOrEqual(25);
    expect(await get('not a command')).toEqual([]);
  });

  it('delivers post()ed messages through /api/messages, per channel and since a sequence number', async () => {
    const empty = await (await fetch(`${base}/api/messages?since=0`)).json();
    await pg.post('digests', answer('Weekly digest', 'The landscape this week.'));
    await pg.post('local-general', answer('Hello', 'second'));
    const all = await (await fetch(`${base}/api/messages?since=${empty.seq}`)).json();
    expect(all.messages.map((m: { reply: Reply }) => m.reply.title)).toEqual(['Weekly digest', 'Hello']);
    expect(all.channels).toEqual(expect.arrayContaining(['local-general', 'digests']));
    const one = await (await fetch(`${base}/api/messages?channel=digests&since=${empty.seq}`)).json();
    expect(one.messages).toHaveLength(1);
    expect(one.messages[0]).toMatchObject({ channel: 'digests', seq: empty.seq + 1 });
    const none = await (await fetch(`${base}/api/messages?since=${all.seq}`)).json();
    expect(none.messages).toEqual([]);
    expect((await fetch(`${base}/api/messages?since=-1`)).status).toBe(400);
  });

  it('posts a reply whose chart fails to render without the image', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const before = (await (await fetch(`${base}/api/messages`)).json()).seq;
      await pg.post('local-general', answer('Broken chart', 'still here', { chart: { spec: { mark: 'no-such-mark' }, alt: 'broken' } }));
      const { messages } = await (await fetch(`${base}/api/messages?since=${before}`)).json();
      expect(messages[0].reply.title).toBe('Broken chart');
      expect(messages[0].chartUrl).toBeUndefined();
      expect(log).toHaveBeenCalledTimes(1);
    } finally {
      log.mockRestore();
    }
  });
});
