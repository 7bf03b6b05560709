// The whole digest path in one process: /digest in the playground, the scheduler, the local poster, the page's API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Context } from '../commands/command.ts';
import { catalog } from '../src/catalog/load.ts';
import { localPoster } from '../src/digest/posters.ts';
import { createScheduler } from '../src/digest/scheduler.ts';
import { DigestService } from '../src/digest/service.ts';
import { openStore, type Store } from '../src/digest/store.ts';
import { createPlayground } from '../src/platforms/local/playground.ts';

let now = new Date('2026-11-26T12:00:30Z');
let store: Store, server: Server, base: string;
let scheduler: ReturnType<typeof createScheduler>;

async function command(text: string, channel = 'local-general') {
  const r = await fetch(`${base}/api/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel, text }) });
  return (await r.json()) as { reply: { kind: string; title: string; summary: string; private: boolean; fields: { name: string; value: string }[] } };
}
async function messages(channel = 'local-general') {
  const r = await fetch(`${base}/api/messages?since=0&channel=${channel}`);
  return ((await r.json()) as { messages: { reply: { title: string; fields: { name: string; value: string }[] }; chartUrl?: string }[] }).messages;
}

beforeEach(async () => {
  now = new Date('2026-11-26T12:00:30Z');
  store = await openStore(':memory:', { now: () => now });
  const cat = catalog();
  const digest = new DigestService(store, cat, () => now, new Set(['local']));
  const pg = createPlayground({ context: (id): Context => ({ catalog: cat, digest, channel: { platform: 'local', id, canManage: true } }) });
  scheduler = createScheduler({ store, posters: { local: localPoster(pg) }, build: (s, at) => digest.build(s, at), now: () => now, log: () => {}, paceMs: 0 });
  server = createServer(async (req, res) => { if (!(await pg.handle(req, res))) { res.writeHead(404); res.end(); } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await scheduler.stop();
  await new Promise<void>((r) => server.close(() => r()));
  await store.close();
});

describe('digests in the playground', () => {
  it('subscribe with a one-minute schedule, and the digest arrives at the next minute, once', async () => {
    const sub = await command('/digest subscribe "* * * * *" Europe/London');
    expect(sub.reply.kind).toBe('answer');
    expect(sub.reply.summary).toMatch(/next one is .*12:01/);
    expect((await scheduler.tick()).posted).toHaveLength(0); // nothing due inside the minute it was made
    now = new Date('2026-11-26T12:01:05Z');
    expect((await scheduler.tick()).posted).toHaveLength(1);
    expect((await scheduler.tick()).posted).toHaveLength(0); // same slot: never twice
    const got = await messages();
    expect(got).toHaveLength(1);
    expect(got[0].reply.title).toBe('memwall digest — the landscape on Llama 3.1 70B');
    expect(got[0].reply.fields[0].value).toMatch(/First digest in this channel/);
    expect(got[0].chartUrl).toMatch(/\/api\/chart\/.*\.png$/);
    const png = await fetch(`${base}${got[0].chartUrl}`);
    expect(Buffer.from(await png.arrayBuffer()).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('consecutive digests differ: the explainer rotates and "what changed" compares with the last post', async () => {
    await command('/digest subscribe "* * * * *"');
    now = new Date('2026-11-26T12:01:05Z');
    await scheduler.tick();
    now = new Date('2026-11-26T12:02:05Z');
    await scheduler.tick();
    const [first, second] = await messages();
    const topic = (m: typeof first) => m.reply.fields.find((f) => f.name.startsWith('Explained:'))!.name;
    expect(topic(first)).not.toBe(topic(second));
    expect(second.reply.fields[0].value).toMatch(/Nothing in the catalog changed since the last digest/);
  });

  it('status shows the schedule, next and last post; preview is private and records nothing; unsubscribe stops it', async () => {
    await command('/digest subscribe daily Asia/Tokyo gpt-oss-120b');
    let status = await command('/digest status');
    expect(status.reply.private).toBe(true);
    expect(status.reply.fields.map((f) => f.value).join('\n')).toMatch(/every day at 09:00 Asia\/Tokyo \(`0 9 \* \* \*`\)/);
    expect(status.reply.fields.find((f) => f.name === 'Last digest')!.value).toBe('none yet');
    const preview = await command('/digest preview');
    expect(preview.reply.private).toBe(true);
    expect(preview.reply.title).toMatch(/gpt-oss-120b/);
    now = new Date('2026-11-27T00:00:30Z'); // 09:00 in Tokyo
    expect((await scheduler.tick()).posted).toHaveLength(1);
    status = await command('/digest status');
    expect(status.reply.fields.find((f) => f.name === 'Last digest')!.value).toMatch(/27 Nov 2026, 09:00 GMT\+9/);
    const off = await command('/digest unsubscribe');
    expect(off.reply.title).toBe('Digest stopped');
    now = new Date('2026-11-28T00:00:30Z');
    expect((await scheduler.tick()).posted).toHaveLength(0);
  });

  it('a bad schedule or timezone is refused politely with a good example', async () => {
    const cron = await command('/digest subscribe "every tuesday"');
    expect(cron.reply.kind).toBe('error');
    expect(cron.reply.summary).toMatch(/30 8 \* \* 1-5/);
    const tz = await command('/digest subscribe daily Mars/Olympus');
    expect(tz.reply.kind).toBe('error');
    expect(tz.reply.summary).toMatch(/not a timezone I know/);
    expect(await store.list()).toHaveLength(0);
  });
});
