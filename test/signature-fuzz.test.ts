// A bounded signature fuzz over loopback against the real server (src/main.ts, Discord and Slack on one port):
// a few thousand forged, stale, future, replayed and oversized requests, generated from a seed. None may be accepted
// (every one is refused with 401 or 413, nothing reaches the fake Discord or Slack APIs, every one is counted once in
// the refusal metric), the log stays a summary, and the server keeps answering genuine requests throughout.
import { createHmac } from 'node:crypto';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { start, type Running } from '../src/main.ts';
import { command, interaction, newSigner, signature, startFakeDiscord, type FakeDiscord, type Signer } from './helpers/discord-fake.ts';
import { slashBody, slackSignature, startFakeSlack, type FakeSlack } from './helpers/slack-fake.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const CASES_PER_ENDPOINT = 2000;
const SECRET = 'test-signing-secret-fuzz-0123456789';

/** mulberry32: small, seeded, reproducible */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    hex: (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(next() * 16)]).join(''),
  };
}

interface Case { kind: string; headers: Record<string, string>; body: string }

let signer: Signer;
let discord: FakeDiscord;
let slack: FakeSlack;
let running: Running;
let base: string;
const logLines: string[] = [];

beforeAll(async () => {
  signer = newSigner();
  discord = await startFakeDiscord();
  slack = await startFakeSlack();
  // the endpoints log through console (Bolt's logger, the Discord handler's default): count every line
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...a: unknown[]) => { logLines.push(a.map(String).join(' ')); });
  }
  running = await start(loadConfig({
    PORT: '0', HOST: '127.0.0.1', MEMWALL_DB: ':memory:', DISCORD_PUBLIC_KEY: signer.publicKeyHex, DISCORD_APPLICATION_ID: '123456789012345678',
    DISCORD_API_BASE: discord.apiBase, SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test-fuzz', SLACK_API_URL: slack.apiUrl,
  }), (l) => logLines.push(l));
  base = `http://127.0.0.1:${running.port}`;
}, 40_000);

afterAll(async () => {
  await running?.stop();
  await discord?.close();
  await slack?.close();
  vi.restoreAllMocks();
});

const now = () => Math.floor(Date.now() / 1000);
const MiB = 1024 * 1024;

function discordCases(r: ReturnType<typeof prng>): { cases: Case[]; replays: Case[] } {
  const otherKey = newSigner();
  const signed = (body: string, ts: string, key = signer): Record<string, string> => ({ 'content-type': 'application/json', 'x-signature-ed25519': signature(key, ts, body), 'x-signature-timestamp': ts });
  const payload = () => JSON.stringify(r.next() < 0.5 ? command('fit', [{ name: 'model', type: 3, value: 'llama-70b' }, { name: 'chip', type: 3, value: 'cerebras' }]) : interaction(1, undefined));
  const flip = (s: string) => { const i = r.int(0, s.length - 1); const c = s[i] === '0' ? '1' : '0'; return s.slice(0, i) + c + s.slice(i + 1); };
  const kinds: (() => Case)[] = [
    () => ({ kind: 'no headers', headers: { 'content-type': 'application/json' }, body: payload() }),
    () => ({ kind: 'random signature', headers: { 'content-type': 'application/json', 'x-signature-ed25519': r.hex(128), 'x-signature-timestamp': String(now()) }, body: payload() }),
    () => ({ kind: 'signature of the wrong length', headers: { 'content-type': 'application/json', 'x-signature-ed25519': r.hex(r.pick([0, 2, 64, 126, 130, 256])), 'x-signature-timestamp': String(now()) }, body: payload() }),
    () => ({ kind: 'another key', headers: signed(payload(), String(now()), otherKey), body: payload() }),
    () => { const b = payload(); const h = signed(b, String(now())); h['x-signature-ed25519'] = flip(h['x-signature-ed25519']); return { kind: 'one signature digit changed', headers: h, body: b }; },
    () => { const b = payload(); const h = signed(b, String(now())); return { kind: 'tampered body', headers: h, body: b.replace(/"type":\d/, '"type":2').replace('llama-70b', 'llama-405b') + (r.next() < 0.5 ? ' ' : '') }; },
    // one clock reading: read twice, a second's tick between the readings could make the "changed" timestamp the signed one
    () => { const b = payload(); const ts = now(); const h = signed(b, String(ts)); h['x-signature-timestamp'] = String(ts + r.pick([-1, 1])); return { kind: 'timestamp changed after signing', headers: h, body: b }; },
    () => { const b = payload(); const h = signed(b, String(now())); h['x-signature-ed25519'] = h['x-signature-ed25519'].toUpperCase().replace(/^(..)/, 'zz'); return { kind: 'non-hex signature', headers: h, body: b }; },
    () => { const ts = String(now() - r.int(301, 365 * 86400)); const b = payload(); return { kind: 'stale', headers: signed(b, ts), body: b }; },
    () => { const ts = String(now() + r.int(301, 365 * 86400)); const b = payload(); return { kind: 'future', headers: signed(b, ts), body: b }; },
    () => { const ts = r.pick(['abc', '', '1e9', `${now()}.5`, `-${now()}`, String(Date.now()), ` ${now()}`]); const b = payload(); return { kind: 'malformed timestamp', headers: signed(b, ts), body: b }; },
  ];
  const cases = Array.from({ length: CASES_PER_ENDPOINT - 40 }, () => r.pick(kinds)());
  // oversized: validly signed bodies just over the limit, and far over it
  for (let i = 0; i < 20; i++) {
    const b = JSON.stringify({ ...interaction(1, undefined), pad: 'x'.repeat(MiB + r.int(1, i < 10 ? 100 : 4 * MiB)) });
    cases.push({ kind: 'oversized', headers: signed(b, String(now())), body: b });
  }
  // replayed: 20 genuine interactions, each sent once as a control, then again (same bytes, or re-signed with a fresh timestamp)
  const replays: Case[] = [];
  for (let i = 0; i < 20; i++) {
    const b = payload();
    const first: Case = { kind: 'genuine', headers: signed(b, String(now())), body: b };
    replays.push(first);
    cases.push({ kind: 'replayed', headers: first.headers, body: b });
    cases.push({ kind: 'replayed, re-signed', headers: signed(b, String(now() - 1)), body: b });
  }
  return { cases, replays };
}

function slackCases(r: ReturnType<typeof prng>, responseUrl: () => string): Case[] {
  const form = (ts: number, body: string, secret = SECRET): Record<string, string> => ({ 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(secret, ts, body) });
  const body = () => slashBody(r.pick(['/fit', '/compare', '/chip', '/digest', '/nope']), r.pick(['llama-70b cerebras', 'groq etched decode', 'h100', 'subscribe weekly', '']), responseUrl());
  const kinds: (() => Case)[] = [
    () => ({ kind: 'no headers', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body() }),
    () => ({ kind: 'random signature', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(now()), 'x-slack-signature': `v0=${r.hex(64)}` }, body: body() }),
    () => ({ kind: 'malformed signature', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(now()), 'x-slack-signature': r.pick(['', 'v0=', 'v1=' + r.hex(64), r.hex(64), 'v0=' + r.hex(63), 'v0=' + r.hex(66), 'v0=' + r.hex(64).toUpperCase()]) }, body: body() }),
    () => { const b = body(); return { kind: 'another secret', headers: form(now(), b, 'not-the-secret'), body: b }; },
    () => { const b = body(); return { kind: 'tampered body', headers: form(now(), b), body: b.replace('text=', 'text=x') }; },
    () => { const b = body(); const ts = now(); const h = form(ts, b); h['x-slack-request-timestamp'] = String(ts + r.pick([-1, 1])); return { kind: 'timestamp changed after signing', headers: h, body: b }; },
    () => { const ts = now() - r.int(301, 365 * 86400); const b = body(); return { kind: 'stale (a captured request sent again later)', headers: form(ts, b), body: b }; },
    () => { const ts = now() + r.int(301, 365 * 86400); const b = body(); return { kind: 'future', headers: form(ts, b), body: b }; },
    () => { const b = body(); const ts = r.pick(['abc', '', '1e9', `${now()}.5`]); const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${b}`).digest('hex')}`; return { kind: 'malformed timestamp', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig }, body: b }; },
    () => { const b = body(); return { kind: 'JSON claiming to be Slack', headers: { ...form(now(), b, 'not-the-secret'), 'content-type': 'application/json' }, body: JSON.stringify({ type: 'url_verification', challenge: 'x' }) }; },
  ];
  const cases = Array.from({ length: CASES_PER_ENDPOINT - 20 }, () => r.pick(kinds)());
  for (let i = 0; i < 20; i++) {
    const b = `${body()}&pad=${'x'.repeat(MiB + r.int(1, i < 10 ? 100 : 4 * MiB))}`;
    cases.push({ kind: 'oversized', headers: form(now(), b), body: b });
  }
  return cases;
}

async function post(path: string, c: Case): Promise<number> {
  try {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: c.headers, body: c.body });
    await res.arrayBuffer();
    return res.status;
  } catch (e) {
    return -1; // a transport error counts as "not accepted", but is checked separately below
  }
}

/** Run the cases with a few in flight at once; a genuine control request every 100 cases. */
async function run(path: string, cases: Case[], control: () => Promise<boolean>): Promise<{ results: { kind: string; status: number }[]; controls: boolean[] }> {
  const results: { kind: string; status: number }[] = [];
  const controls: boolean[] = [];
  for (let i = 0; i < cases.length; i += 8) {
    const batch = cases.slice(i, i + 8);
    const statuses = await Promise.all(batch.map((c) => post(path, c)));
    batch.forEach((c, j) => results.push({ kind: c.kind, status: statuses[j] }));
    if (i % 100 < 8) controls.push(await control());
  }
  return { results, controls };
}

async function refusedBy(endpoint: string): Promise<number> {
  const m = register.getSingleMetric('memwall_rejected_requests_total');
  if (!m) return 0;
  return (await m.get()).values.filter((v) => v.labels.endpoint === endpoint).reduce((n, v) => n + v.value, 0);
}

const summarise = (results: { kind: string; status: number }[]) => {
  const by: Record<string, Record<number, number>> = {};
  for (const { kind, status } of results) { by[kind] ??= {}; by[kind][status] = (by[kind][status] ?? 0) + 1; }
  return by;
};

describe(`signature fuzz (seed ${SEED}; FUZZ_SEED=… to reproduce another)`, () => {
  it('Discord: none of ~2000 forged, stale, future, replayed or oversized interactions is accepted; genuine ones still are', async () => {
    const r = prng(SEED);
    const { cases, replays } = discordCases(r);
    for (const g of replays) expect(await post('/discord/interactions', g), 'a genuine interaction (the replay baseline)').toBe(200);
    const restBefore = discord.requests.length;
    const refusedBefore = await refusedBy('discord');
    const linesBefore = logLines.length;
    const control = async () => {
      const b = JSON.stringify(interaction(1, undefined));
      const ts = String(now());
      const res = await fetch(`${base}/discord/interactions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature(signer, ts, b), 'x-signature-timestamp': ts }, body: b });
      return res.status === 200 && (await res.json()).type === 1;
    };
    const { results, controls } = await run('/discord/interactions', cases, control);

    const accepted = results.filter((x) => x.status !== 401 && x.status !== 413);
    expect(accepted, JSON.stringify(summarise(accepted))).toEqual([]);
    expect(results.filter((x) => x.kind === 'oversized').every((x) => x.status === 413)).toBe(true);
    expect(results.filter((x) => x.kind.startsWith('replayed')).every((x) => x.status === 401)).toBe(true);
    expect(discord.requests.length).toBe(restBefore); // no webhook call for any of them
    expect(await refusedBy('discord') - refusedBefore).toBe(cases.length);
    expect(controls.length).toBeGreaterThan(10);
    expect(controls.every(Boolean)).toBe(true);
    expect(await control()).toBe(true); // still answering
    // a summary, not one line per request (the genuine control commands log one line each, as every answered command does)
    expect(logLines.slice(linesBefore).filter((l) => !l.includes('"msg":"command"')).length).toBeLessThan(10);
  }, 60_000);

  it('Slack: none of ~2000 forged, stale, future or oversized requests is accepted; genuine ones still are', async () => {
    const r = prng(SEED + 1);
    const fuzzUrls = new Set<string>();
    const cases = slackCases(r, () => { const u = slack.responseUrl(); fuzzUrls.add(new URL(u).pathname); return u; });
    const apiBefore = slack.requests.filter((x) => x.path.startsWith('/api/') && x.path !== '/api/auth.test').length;
    const refusedBefore = await refusedBy('slack');
    const linesBefore = logLines.length;
    const control = async () => {
      const u = slack.responseUrl();
      const b = slashBody('/chip', 'h100', u);
      const ts = now();
      const res = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SECRET, ts, b) }, body: b });
      await res.arrayBuffer();
      if (res.status !== 200) return false;
      await slack.waitFor(() => slack.responses(u).length > 0, 'the control answer');
      return true;
    };
    const { results, controls } = await run('/slack/events', cases, control);

    const accepted = results.filter((x) => x.status !== 401 && x.status !== 413);
    expect(accepted, JSON.stringify(summarise(accepted))).toEqual([]);
    expect(results.filter((x) => x.kind === 'oversized').every((x) => x.status === 413)).toBe(true);
    await new Promise((res) => setTimeout(res, 200));
    expect(slack.requests.filter((x) => fuzzUrls.has(x.path))).toEqual([]); // no answer to any of them
    expect(slack.requests.filter((x) => x.path.startsWith('/api/') && x.path !== '/api/auth.test').length).toBe(apiBefore);
    expect(await refusedBy('slack') - refusedBefore).toBe(cases.length);
    expect(controls.length).toBeGreaterThan(10);
    expect(controls.every(Boolean)).toBe(true);
    expect(await control()).toBe(true);
    expect(logLines.slice(linesBefore).filter((l) => !l.includes('"msg":"command"')).length).toBeLessThan(10);
  }, 60_000);
});
