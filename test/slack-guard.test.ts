// Slack over signed HTTP on 127.0.0.1: what is refused before Bolt sees it (future timestamps, forged requests,
// counted in the default prom-client registry and logged as a summary) and what an unregistered command gets
// (issue 11, items 2, 4 and 7).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.ts';
import { catalog } from '../src/catalog/load.ts';
import { createSlackApp } from '../src/platforms/slack/app.ts';
import { postSigned, recordingLogger, serveSlackEvents, slashBody, slackSignature, startSlackHarness, type FakeSlack, type SlackHarness } from './helpers/slack-fake.ts';

const SECRET = 'test-signing-secret-guard-0123456789';
let harness: SlackHarness;
let fake: FakeSlack;
let eventsUrl: string;
const logs: string[] = [];
const logger = recordingLogger(logs);

beforeAll(async () => {
  harness = await startSlackHarness({ secret: SECRET, botToken: 'xoxb-test-guard', logger });
  ({ fake, eventsUrl } = harness);
}, 30_000);

afterAll(async () => {
  await harness?.close();
});

const nowSec = () => Math.floor(Date.now() / 1000);

/** this file's count of refused Slack requests, by reason, from prom-client's default registry */
async function refusedSlack(): Promise<Record<string, number>> {
  const metric = register.getSingleMetric('memwall_rejected_requests_total');
  const out: Record<string, number> = {};
  if (!metric) return out;
  for (const v of (await metric.get()).values) if (v.labels.endpoint === 'slack') out[String(v.labels.reason)] = v.value;
  return out;
}

describe('the timestamp window, both ways, before Bolt', () => {
  for (const [what, ts] of [['six minutes ahead', () => nowSec() + 360], ['an hour ahead', () => nowSec() + 3600], ['an hour old', () => nowSec() - 3600]] as const) {
    it(`a correctly signed command dated ${what} is refused with 401 and never run`, async () => {
      const responseUrl = fake.responseUrl();
      const r = await postSigned(eventsUrl, SECRET, slashBody('/fit', 'llama-70b cerebras', responseUrl), { ts: ts() });
      expect(r.status).toBe(401);
      await new Promise((res) => setTimeout(res, 200));
      expect(fake.responses(responseUrl)).toEqual([]);
    });
  }

  it('a non-numeric timestamp, signed over that very string, is refused with 401', async () => {
    const body = slashBody('/chip', 'h100', fake.responseUrl());
    const sig = `v0=${(await import('node:crypto')).createHmac('sha256', SECRET).update(`v0:abc:${body}`).digest('hex')}`;
    const r = await fetch(eventsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': 'abc', 'x-slack-signature': sig }, body });
    expect(r.status).toBe(401);
  });

  it('four minutes ahead is inside the window and answered', async () => {
    const responseUrl = fake.responseUrl();
    const r = await postSigned(eventsUrl, SECRET, slashBody('/chip', 'h100', responseUrl), { ts: nowSec() + 240 });
    expect(r.status).toBe(200);
    await fake.waitFor(() => fake.responses(responseUrl).length > 0, 'the /chip answer');
  });
});

describe('refused requests are counted, and logged as a summary rather than one line each', () => {
  it('300 forged, stale and future requests: 300 refusals counted by reason, at most one log line, none from Bolt', async () => {
    const before = await refusedSlack();
    const from = logs.length;
    const body = slashBody('/fit', 'llama-70b cerebras', fake.responseUrl());
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      statuses.push((await postSigned(eventsUrl, 'not-the-secret', body)).status);
      statuses.push((await postSigned(eventsUrl, SECRET, body, { ts: nowSec() - 600 })).status);
      statuses.push((await postSigned(eventsUrl, SECRET, body, { ts: nowSec() + 600 })).status);
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
    const after = await refusedSlack();
    expect((after.signature ?? 0) - (before.signature ?? 0)).toBe(100);
    expect((after.timestamp ?? 0) - (before.timestamp ?? 0)).toBe(200);
    const mine = logs.slice(from);
    expect(mine.length).toBeLessThanOrEqual(1);
    expect(mine.join('\n')).not.toMatch(/Failed to parse and verify/);
  });

  it('the summary line, when it comes, says how many and why, and never echoes the request', async () => {
    const lines: string[] = [];
    const app = await createSlackApp({ signingSecret: SECRET, botToken: 'xoxb-test-guard', apiUrl: fake.apiUrl, context: () => ({ catalog: catalog() }), logger: { ...logger, warn: (...a: unknown[]) => { lines.push(a.join(' ')); } } });
    const { server: s, eventsUrl: u } = await serveSlackEvents(() => app.requestListener);
    try {
      for (let i = 0; i < 20; i++) expect((await postSigned(u, 'wrong-secret', slashBody('/fit', 'SECRET-TEXT', 'http://x/'))).status).toBe(401);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/slack: refused 1 unauthenticated request \(bad or missing signature 1\)/);
      expect(lines[0]).toMatch(/memwall_rejected_requests_total/);
      expect(lines.join('\n')).not.toMatch(/SECRET-TEXT|wrong-secret/);
    } finally {
      await app.stop();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});

describe('what the guard lets through unsigned', () => {
  it("Slack's SSL check (ssl_check=1, which Slack does not sign) gets Bolt's empty 200, and nothing runs", async () => {
    const responseUrl = fake.responseUrl();
    const body = `ssl_check=1&token=x&${slashBody('/fit', 'llama-70b cerebras', responseUrl)}`;
    const r = await fetch(eventsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('');
    await new Promise((res) => setTimeout(res, 200));
    expect(fake.responses(responseUrl)).toEqual([]);
  });

  it('a path other than /slack/events (an OAuth page, say) goes to Bolt untouched, not refused as unsigned', async () => {
    const s = createServer((req, res) => void harness.slack.requestListener!(req, res));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const r = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/slack/install`);
      expect(r.status).toBe(404); // this app serves no install page: Bolt's answer, not the guard's 401
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});

describe('a signed command that is not registered', () => {
  it('is answered at once in the HTTP response, privately, with the list of commands (no 3 s wait, no 404)', async () => {
    const responseUrl = fake.responseUrl();
    const r = await postSigned(eventsUrl, SECRET, slashBody('/nope', 'whatever', responseUrl));
    expect(r.status).toBe(200);
    const json = JSON.parse(r.body);
    expect(json.response_type).toBe('ephemeral');
    const text = `${json.text} ${JSON.stringify(json.blocks)}`;
    expect(text).toMatch(/\/nope/);
    for (const c of COMMANDS) expect(text).toContain(`/${c.name}`);
    await new Promise((res) => setTimeout(res, 100));
    expect(fake.responses(responseUrl)).toEqual([]); // nothing more follows
  });

  it('a registered command is still answered by its own handler, once', async () => {
    const responseUrl = fake.responseUrl();
    const r = await postSigned(eventsUrl, SECRET, slashBody('/chip', 'h100', responseUrl));
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    const [answer] = await fake.waitFor(() => { const x = fake.responses(responseUrl); return x.length > 0 && x; }, 'the /chip answer');
    expect(JSON.stringify(answer.json)).not.toMatch(/don't have a command/);
    await new Promise((res) => setTimeout(res, 200));
    expect(fake.responses(responseUrl)).toHaveLength(1);
  });

  it('an unregistered command with a bad signature is still a 401', async () => {
    const body = slashBody('/nope', '', fake.responseUrl());
    expect((await postSigned(eventsUrl, SECRET, body, { signature: slackSignature('other', nowSec(), body) })).status).toBe(401);
  });
});
