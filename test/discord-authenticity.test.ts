// Discord HTTP interactions: the timestamp window, replay protection and payload validation at the boundary
// (issue 11, items 1, 5 and 6). Real HTTP on 127.0.0.1, requests signed with a generated Ed25519 key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscordInteractionsOptions } from '../src/platforms/discord/interactions.ts';
import { MemoryReplayGuard, type ReplayGuard } from '../src/platforms/discord/replay-guard.ts';
import { command, interaction, newSigner, opt, postInteraction, startInteractionsFixture, type FakeDiscord, type InteractionsFixture, type Signer } from './helpers/discord-fake.ts';
import { embedText } from './helpers/discord-limits.ts';

const APP = 'app-123';
let fx: InteractionsFixture;
let signer: Signer;
let fake: FakeDiscord;
let logs: string[];
const endpoint = (extra: Partial<DiscordInteractionsOptions> = {}) => fx.endpoint(extra);

let url: string;
beforeAll(async () => {
  fx = await startInteractionsFixture(APP);
  ({ signer, fake, logs } = fx);
  url = await endpoint();
});
afterAll(() => fx.close());

const nowSec = () => Math.floor(Date.now() / 1000);
const ping = () => interaction(1, undefined);

describe('the timestamp window (±5 minutes)', () => {
  for (const [what, ts] of [
    ['an hour old', () => String(nowSec() - 3600)],
    ['an hour ahead', () => String(nowSec() + 3600)],
    ['six minutes old', () => String(nowSec() - 360)],
    ['six minutes ahead', () => String(nowSec() + 360)],
    ['not a number ("abc")', () => 'abc'],
    ['a number with junk ("1700000000abc")', () => `${nowSec()}abc`],
    ['negative', () => String(-nowSec())],
    ['in milliseconds', () => String(Date.now())],
    ['empty', () => ''],
  ] as const) {
    it(`a validly signed interaction with a timestamp ${what} is refused with 401 and never run`, async () => {
      const it_ = command('compare', [opt('a', 'groq'), opt('b', 'etched')]);
      const before = fake.requests.length;
      const r = await postInteraction(url, signer, it_, { timestamp: ts() });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: expect.any(String) });
      await new Promise((res) => setTimeout(res, 50));
      expect(fake.requests.length).toBe(before);
    });
  }

  it('a timestamp four minutes old or four minutes ahead is accepted', async () => {
    expect((await postInteraction(url, signer, ping(), { timestamp: String(nowSec() - 240) })).json).toEqual({ type: 1 });
    expect((await postInteraction(url, signer, ping(), { timestamp: String(nowSec() + 240) })).json).toEqual({ type: 1 });
  });

  it('the window follows the injected clock', async () => {
    const u = await endpoint({ now: () => Date.parse('2026-01-01T00:00:00Z') });
    const then = Date.parse('2026-01-01T00:00:00Z') / 1000;
    expect((await postInteraction(u, signer, ping(), { timestamp: String(then - 60) })).status).toBe(200);
    expect((await postInteraction(u, signer, ping(), { timestamp: String(nowSec()) })).status).toBe(401);
  });
});

describe('replay protection', () => {
  it('the same signed request sent twice: the first is answered, the second is refused with 401 and never run', async () => {
    const it_ = command('fit', [opt('model', 'llama-70b'), opt('chip', 'cerebras')]);
    const ts = String(nowSec());
    const first = await postInteraction(url, signer, it_, { timestamp: ts });
    expect(first.status).toBe(200);
    expect(JSON.stringify(first.json)).toMatch(/4 wafers/);
    const again = await postInteraction(url, signer, it_, { timestamp: ts });
    expect(again.status).toBe(401);
    expect(again.text).not.toMatch(/wafers/);
  });

  it('a repeated id is refused even when re-signed with a fresh timestamp', async () => {
    const p = ping();
    expect((await postInteraction(url, signer, p, { timestamp: String(nowSec() - 10) })).status).toBe(200);
    expect((await postInteraction(url, signer, p, { timestamp: String(nowSec()) })).status).toBe(401);
  });

  it('a forged request does not burn the id: the genuine one is still answered', async () => {
    const p = ping();
    expect((await postInteraction(url, newSigner(), p)).status).toBe(401);
    expect((await postInteraction(url, null, p)).status).toBe(401);
    expect((await postInteraction(url, signer, p)).status).toBe(200);
  });

  it('the guard is injectable: it is asked once per signed interaction, with the id and when the window closes', async () => {
    const calls: [string, number][] = [];
    const seen = new Set<string>();
    const guard: ReplayGuard = { async firstSeen(id, expiresAtMs) { calls.push([id, expiresAtMs]); if (seen.has(id)) return false; seen.add(id); return true; } };
    const u = await endpoint({ replayGuard: guard });
    const p = ping();
    const ts = nowSec();
    expect((await postInteraction(u, signer, p, { timestamp: String(ts) })).status).toBe(200);
    expect((await postInteraction(u, signer, p, { timestamp: String(ts) })).status).toBe(401);
    expect((await postInteraction(u, newSigner(), ping())).status).toBe(401); // forged: the guard is not asked
    expect(calls).toEqual([[p.id, ts * 1000 + 5 * 60_000], [p.id, ts * 1000 + 5 * 60_000]]);
  });

  it('a guard that fails answers 503 with one log line, and runs nothing', async () => {
    const from = logs.length;
    const u = await endpoint({ replayGuard: { firstSeen: async () => { throw new Error('database unreachable'); } } });
    const before = fake.requests.length;
    const r = await postInteraction(u, signer, command('compare', [opt('a', 'groq'), opt('b', 'etched')]));
    expect(r.status).toBe(503);
    const mine = logs.slice(from);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/database unreachable/);
    expect(mine[0]).not.toMatch(/\n\s+at /);
    await new Promise((res) => setTimeout(res, 50));
    expect(fake.requests.length).toBe(before);
  });
});

describe('MemoryReplayGuard', () => {
  it('says first-seen once per id until the id expires', async () => {
    let now = 1_000_000;
    const g = new MemoryReplayGuard({ now: () => now });
    expect(await g.firstSeen('a', now + 1000)).toBe(true);
    expect(await g.firstSeen('a', now + 1000)).toBe(false);
    expect(await g.firstSeen('b', now + 1000)).toBe(true);
    now += 1001;
    expect(await g.firstSeen('a', now + 1000)).toBe(true); // the old entry expired; the timestamp check covers it now
  });

  it('stays within its bound, dropping expired ids first and then the oldest', async () => {
    let now = 0;
    const g = new MemoryReplayGuard({ maxEntries: 100, now: () => now });
    for (let i = 0; i < 50; i++) await g.firstSeen(`short-${i}`, 10);
    for (let i = 0; i < 80; i++) await g.firstSeen(`long-${i}`, 1_000_000);
    now = 20;
    expect(g.size).toBeLessThanOrEqual(100);
    for (let i = 0; i < 1000; i++) await g.firstSeen(`more-${i}`, 1_000_000);
    expect(g.size).toBeLessThanOrEqual(100);
    expect(await g.firstSeen('more-999', 1_000_000)).toBe(false); // the newest are still remembered
  });
});

describe('malformed but signed payloads (validated with zod at the boundary)', () => {
  const malformed: [string, unknown][] = [
    ['options: [null]', { type: 2, data: { name: 'help', options: [null] } }],
    ['options: 42', { type: 2, data: { name: 'help', options: 42 } }],
    ['options: "x"', { type: 2, data: { name: 'help', options: 'x' } }],
    ['an option without a name', { type: 2, data: { name: 'fit', options: [{ type: 3, value: 'x' }] } }],
    ['an option value that is an object', { type: 2, data: { name: 'fit', options: [{ name: 'model', type: 3, value: { a: 1 } }] } }],
    ['a subcommand whose options are null entries', { type: 2, data: { name: 'digest', options: [{ name: 'list', type: 1, options: [null] }] } }],
    ['options nested deeper than Discord nests them', { type: 2, data: { name: 'digest', options: [{ name: 'g', type: 2, options: [{ name: 's', type: 1, options: [{ name: 'x', type: 1, options: [{ name: 'y', type: 3, value: 'z' }] }] }] }] } }],
    ['no data on a command', { type: 2 }],
    ['data: null', { type: 2, data: null }],
    ['a command name that is a number', { type: 2, data: { name: 7 } }],
    ['autocomplete with options: 42', { type: 4, data: { name: 'fit', options: 42 } }],
    ['a string type', { type: '2', data: { name: 'help' } }],
    ['a fractional type', { type: 2.5, data: { name: 'help' } }],
    ['an array', [1, 2, 3]],
    ['null', null],
    ['channel: 5', { type: 2, data: { name: 'help' }, channel: 5 }],
    ['member.permissions as a number', { type: 2, data: { name: 'help' }, member: { permissions: 8 } }],
  ];
  for (const [what, body] of malformed) {
    it(`${what}: 400 and one log line without a stack`, async () => {
      const from = logs.length;
      const payload = body && typeof body === 'object' && !Array.isArray(body) ? { id: `bad-${Math.random()}`, token: 'tok-bad', ...body } : body;
      const r = await postInteraction(url, signer, payload);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ error: expect.any(String) });
      const mine = logs.slice(from);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatch(/malformed/i);
      expect(mine[0]).not.toMatch(/\n/);
    });
  }

  it('a non-PING interaction without an id or token is malformed', async () => {
    const c = command('help');
    const { id: _id, ...noId } = c;
    const { token: _token, ...noToken } = command('help');
    expect((await postInteraction(url, signer, noId)).status).toBe(400);
    expect((await postInteraction(url, signer, noToken)).status).toBe(400);
  });

  it('well-formed interactions still pass: /help, a subcommand, autocomplete, unknown extra fields', async () => {
    expect((await postInteraction(url, signer, command('help'))).json.type).toBe(4);
    const sub = await postInteraction(url, signer, interaction(2, { name: 'digest', type: 1, options: [{ name: 'list', type: 1, options: [] }] }));
    expect(sub.status).toBe(200);
    const ac = await postInteraction(url, signer, interaction(4, { name: 'fit', type: 1, options: [{ name: 'chip', type: 3, value: 'cereb', focused: true }] }, { brand_new_field: { x: 1 } }));
    expect(ac.json.type).toBe(8);
  });
});

describe('buttons with a malformed custom_id', () => {
  for (const customId of [0, null, 12.5, true, {}, [], 'x'.repeat(500)]) {
    it(`custom_id ${JSON.stringify(customId).slice(0, 20)} gets "that button is not one of mine", privately`, async () => {
      const from = logs.length;
      const r = await postInteraction(url, signer, interaction(3, { custom_id: customId, component_type: 2 }));
      expect(r.status).toBe(200);
      expect(r.json.type).toBe(4);
      expect(r.json.data.flags).toBe(64);
      expect(embedText(r.json.data)).toMatch(/not one of mine/);
      expect(embedText(r.json.data)).not.toMatch(/went wrong/);
      expect(logs.slice(from).join('\n')).not.toMatch(/\n\s+at /);
    });
  }
});
