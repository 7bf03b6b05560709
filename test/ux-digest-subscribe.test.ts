// Re-subscribing keeps what the user did not change, and schedules read in words (issue 10 bug 10), through the
// playground's HTTP API as a person types it, against a real SQLite store.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Context } from '../commands/command.ts';
import { catalog } from '../src/catalog/load.ts';
import { cronInWords } from '../src/digest/cron-words.ts';
import { DigestService } from '../src/digest/service.ts';
import { openStore, type Store } from '../src/digest/store.ts';
import { createPlayground } from '../src/platforms/local/playground.ts';
import { runCli } from '../src/platforms/local/cli.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const now = new Date('2026-11-26T12:00:30Z');
let store: Store, server: Server, base: string;

type Reply = { kind: string; summary: string; notes: string[]; fields: { name: string; value: string }[] };
async function command(text: string): Promise<Reply> {
  const r = await fetch(`${base}/api/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'local-general', text }) });
  return ((await r.json()) as { reply: Reply }).reply;
}
const field = (r: Reply, name: string) => r.fields.find((f) => f.name === name)?.value ?? '';

beforeEach(async () => {
  store = await openStore(':memory:', { now: () => now });
  const cat = catalog();
  const digest = new DigestService(store, cat, () => now, new Set(['local']));
  const pg = createPlayground({ context: (id): Context => ({ catalog: cat, digest, channel: { platform: 'local', id, canManage: true } }) });
  server = createServer(async (req, res) => { if (!(await pg.handle(req, res))) { res.writeHead(404); res.end(); } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await store.close();
});

describe('re-subscribing', () => {
  it('/digest subscribe weekly after daily Europe/Paris qwen3-235b keeps the timezone and the model, and says what changed', async () => {
    const first = await command('/digest subscribe daily Europe/Paris qwen3-235b');
    expect(first.kind).toBe('answer');
    const second = await command('/digest subscribe weekly');
    expect(second.kind).toBe('answer');
    const sub = (await store.get('local', 'local-general'))!;
    expect(sub).toMatchObject({ timezone: 'Europe/Paris', model: 'qwen3-235b-a22b', cron: '0 9 * * 1' });
    const said = `${second.summary} ${second.notes.join(' ')}`;
    expect(said).toMatch(/schedule: every day at 09:00 → Mondays at 09:00/);
    expect(said).toMatch(/kept .*Europe\/Paris.*Qwen3 235B/);
    expect(field(second, 'Model')).toMatch(/Qwen3/);
  });

  it('schedules are shown in words with the cron beside them', async () => {
    const r = await command('/digest subscribe "30 8 * * 1-5" Europe/Paris');
    expect(field(r, 'Schedule')).toBe('weekdays at 08:30 Europe/Paris (`30 8 * * 1-5`)');
    const s = await command('/digest status');
    expect(field(s, 'Schedule')).toBe('weekdays at 08:30 Europe/Paris (`30 8 * * 1-5`)');
  });

  it('the CLI keeps unchanged settings too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memwall-sub-'));
    const db = join(dir, 'm.db');
    const old = process.env.MEMWALL_DB;
    process.env.MEMWALL_DB = db;
    try {
      expect((await runCli(['digest', 'subscribe', '--platform', 'local', '--channel', 'c1', '--schedule', 'daily', '--timezone', 'Asia/Tokyo', '--model', 'deepseek-v3'])).code).toBe(0);
      const r = await runCli(['digest', 'subscribe', '--platform', 'local', '--channel', 'c1', '--schedule', 'weekly']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Asia\/Tokyo/);
      expect(r.stdout).toMatch(/deepseek-v3/);
      expect(r.stdout).toMatch(/Mondays at 09:00 Asia\/Tokyo/);
    } finally {
      if (old === undefined) delete process.env.MEMWALL_DB; else process.env.MEMWALL_DB = old;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cron in words', () => {
  it.each([
    ['0 9 * * *', 'every day at 09:00'], ['0 9 * * 1', 'Mondays at 09:00'], ['30 8 * * 1-5', 'weekdays at 08:30'],
    ['0 18 * * 0,6', 'weekends at 18:00'], ['0 9 * * 1,3,5', 'Mondays, Wednesdays and Fridays at 09:00'], ['* * * * *', 'every minute'],
    ['*/15 * * * *', 'every 15 minutes'], ['5 * * * *', 'every hour at :05'], ['0 7 1 * *', 'on day 1 of every month at 07:00'],
    ['0 0 1 1 *', 'on 1 January at 00:00'],
  ])('%s → %s', (cron, words) => expect(cronInWords(cron)).toBe(words));
});
