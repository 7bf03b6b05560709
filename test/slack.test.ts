// The Slack app end to end over real HTTP on 127.0.0.1: signed slash commands and button presses into a node:http
// server that routes POST /slack/events to the app's requestListener; answers, file uploads and Web API calls out
// to a loopback fake Slack that records what it received.
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Command, OptionSpec } from '../commands/command.ts';
import { COMMANDS } from '../commands/index.ts';
import { catalog } from '../src/catalog/load.ts';
import { answer } from '../src/reply/reply.ts';
import { toSlack } from '../src/reply/slack.ts';
import { capped, createSlackApp, describeError, type SlackApp } from '../src/platforms/slack/app.ts';
import { parseCommandText } from '../src/platforms/slack/parse.ts';
import { buttonBody, postSigned, recordingLogger, serveSlackEvents, slashBody, startFakeSlack, type FakeSlack, type Recorded } from './helpers/slack-fake.ts';
import { slackLimitViolations } from './helpers/slack-limits.ts';

const SECRET = 'test-signing-secret-0123456789abcdef';
const BOT_TOKEN = 'xoxb-test-bot-token-000000';

let fake: FakeSlack;
let slack: SlackApp;
let server: Server;
let eventsUrl: string;
/** when the app ended each HTTP response, i.e. acknowledged (performance.now()) */
const ended: number[] = [];
/** when the app asked for a command context, i.e. started work on a command */
const contextCalls: number[] = [];
const logs: string[] = [];

const logger = recordingLogger(logs);

beforeAll(async () => {
  catalog(); // load once up front, as the server does at boot
  fake = await startFakeSlack();
  slack = await createSlackApp({ signingSecret: SECRET, botToken: BOT_TOKEN, apiUrl: fake.apiUrl, context: () => { contextCalls.push(performance.now()); return { catalog: catalog() }; }, logger });
  await slack.start();
  ({ server, eventsUrl } = await serveSlackEvents(() => slack.requestListener, (res) => {
    const end = res.end.bind(res);
    res.end = ((...args: Parameters<typeof res.end>) => { ended.push(performance.now()); return end(...args); }) as typeof res.end;
  }));
}, 30_000);

afterAll(async () => {
  await slack?.stop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await fake?.close();
});

beforeEach(() => { delete fake.failures['files.completeUploadExternal']; });

const blocksText = (r: Recorded) => JSON.stringify(r.json?.blocks ?? []);

/** Send a slash command; wait for `count` response_url posts. */
async function slash(command: string, text: string, count = 1) {
  const responseUrl = fake.responseUrl();
  const t0 = performance.now();
  const http = await postSigned(eventsUrl, SECRET, slashBody(command, text, responseUrl));
  const ackAt = ended.at(-1)!;
  const responses = await fake.waitFor(() => { const r = fake.responses(responseUrl); return r.length >= count && r; }, `${count} response(s) to ${command} ${text}`);
  const workAt = contextCalls.find((t) => t > t0);
  return { http, responses, responseUrl, ackAt, workAt, t0 };
}

describe('the app starts against the fake Web API', () => {
  it('checked the bot token once with auth.test, carrying the token as a bearer header', () => {
    const calls = fake.api('auth.test');
    expect(calls).toHaveLength(1);
    expect(String(calls[0].headers.authorization)).toBe(`Bearer ${BOT_TOKEN}`);
  });
});

describe('slash commands over signed HTTP', () => {
  it('/fit llama-70b cerebras: 200 ack before any work, then an in_channel answer about 4 wafers', async () => {
    const { http, responses, ackAt, workAt, t0 } = await slash('/fit', 'llama-70b cerebras');
    expect(http.status).toBe(200);
    expect(http.body).toBe('');
    expect(ackAt - t0).toBeLessThan(3000); // inside Slack's window (a functional limit, not a benchmark)
    const [answer] = responses;
    expect(workAt).toBeDefined();
    expect(ackAt).toBeLessThan(workAt!); // the HTTP ack was written before any work on the command began
    expect(answer.at).toBeGreaterThan(ackAt);
    expect(answer.json.response_type).toBe('in_channel');
    expect(blocksText(answer)).toMatch(/Fits on \*4 wafers\*/);
    expect(answer.json.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Llama 3.1 70B on Cerebras WSE-3 (CS-3)' } });
    expect(answer.json.text).toContain('4 wafers');
    expect(slackLimitViolations(answer.json)).toEqual([]);
  });

  it('/fit with named options (key:value and key=value) applies them', async () => {
    const { responses } = await slash('/fit', 'llama-70b cerebras weights:fp8 context=32768');
    const t = blocksText(responses[0]);
    expect(responses[0].json.response_type).toBe('in_channel');
    expect(t).toContain('FP8');
    expect(t).toContain('32K');
  });

  it('/compare groq etched decode: three buttons, and the chart goes up through the files upload flow', async () => {
    const before = fake.requests.length;
    const { responses } = await slash('/compare', 'groq etched decode');
    const answer = responses[0];
    expect(answer.json.response_type).toBe('in_channel');
    const actions = answer.json.blocks.filter((b: any) => b.type === 'actions');
    expect(actions).toHaveLength(1);
    expect(actions[0].elements.map((e: any) => e.action_id)).toEqual([
      'compare:prefill:groq-lpu-v1:etched-sohu:llama-3.1-70b',
      'compare:decode:groq-lpu-v1:etched-sohu:llama-3.1-70b',
      'compare:both:groq-lpu-v1:etched-sohu:llama-3.1-70b',
    ]);
    expect(actions[0].elements[1].style).toBe('primary');

    const complete = await fake.waitFor(() => fake.requests.slice(before).find((r) => r.path === '/api/files.completeUploadExternal'), 'files.completeUploadExternal');
    const since = fake.requests.slice(before);
    const getUrl = since.find((r) => r.path === '/api/files.getUploadURLExternal')!;
    expect(getUrl.form?.filename).toBe('chart.png');
    // the chart's alt text rides along (web-api 8.2 names it alt_text; Slack's method documents alt_txt)
    expect(getUrl.form?.alt_text).toMatch(/Groq LPU v1.*Decode/);
    const upload = since.find((r) => r.path.startsWith('/upload/'))!;
    expect(upload).toBeDefined();
    const bytes = Object.values(upload.parts ?? {}).find((v): v is Buffer => Buffer.isBuffer(v))!;
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(Number(getUrl.form?.length)).toBe(bytes.length);
    expect(complete.form?.channel_id).toBe('C0CHAN');
    expect(JSON.parse(complete.form!.files)).toEqual([{ id: upload.path.split('/').pop(), title: expect.stringContaining('Etched Sohu') }]);
    // order: the answer first, then the chart
    expect(answer.at).toBeLessThan(upload.at);
  });

  it('an unknown model: an ephemeral did-you-mean, no chart, no channel post', async () => {
    const before = fake.requests.length;
    const { responses } = await slash('/fit', 'llama-99b cerebras');
    expect(responses[0].json.response_type).toBe('ephemeral');
    expect(blocksText(responses[0])).toMatch(/Did you mean .*llama-3\.1-70b/);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.requests.slice(before).filter((r) => r.path.startsWith('/api/'))).toEqual([]);
  });

  it('an unknown option name or too many values: an ephemeral hint', async () => {
    const a = await slash('/fit', 'llama-70b cerebras flavour:fp8');
    expect(a.responses[0].json.response_type).toBe('ephemeral');
    expect(blocksText(a.responses[0])).toContain('no option called `flavour`');
    const b = await slash('/chip', 'h100 b200');
    expect(b.responses[0].json.response_type).toBe('ephemeral');
    expect(blocksText(b.responses[0])).toContain('Too many values');
  });

  it('every current command answers with valid blocks, none with an internal error', async () => {
    const sample: Record<string, string> = { model: 'llama-70b', chip: 'h100' };
    const value = (o: OptionSpec, i: number) => o.choices?.[0]?.value ?? (o.autocomplete === 'chip' ? ['h100', 'groq', 'cerebras'][i % 3] : o.autocomplete === 'model' ? 'llama-70b' : o.type === 'integer' ? '1' : sample[o.name] ?? 'x');
    for (const cmd of COMMANDS) {
      const text = cmd.options.filter((o) => o.required).map(value).join(' ');
      const { http, responses } = await slash(`/${cmd.name}`, text);
      expect(http.status, cmd.name).toBe(200);
      const r = responses[0].json;
      expect(slackLimitViolations(r), cmd.name).toEqual([]);
      expect(JSON.stringify(r), cmd.name).not.toContain('Something went wrong');
      if (!(cmd as { subcommands?: unknown }).subcommands) expect(r.response_type, `/${cmd.name} ${text}: ${JSON.stringify(r.blocks).slice(0, 300)}`).toBe('in_channel');
    }
  }, 60_000);

  it('a failing chart upload (not_in_channel) still answers, and tells the asker privately why there is no chart', async () => {
    fake.failures['files.completeUploadExternal'] = 'not_in_channel';
    const { responses } = await slash('/compare', 'groq etched prefill', 2);
    expect(responses[0].json.response_type).toBe('in_channel');
    expect(blocksText(responses[0])).toContain('First token');
    expect(responses[1].json.response_type).toBe('ephemeral');
    expect(responses[1].json.text).toMatch(/chart could not be posted.*invite me/);
    const logged = logs.join('\n');
    expect(logged).toContain('not_in_channel');
    expect(logged).not.toContain(BOT_TOKEN);
    expect(logged).not.toMatch(/\n\s+at /); // no stack traces
  });
});

describe('buttons', () => {
  it('compare:prefill:… replaces the original message with the prefill view', async () => {
    const responseUrl = fake.responseUrl();
    const id = 'compare:prefill:groq-lpu-v1:etched-sohu:llama-3.1-70b';
    const http = await postSigned(eventsUrl, SECRET, buttonBody(id, responseUrl));
    expect(http.status).toBe(200);
    const [r] = await fake.waitFor(() => { const x = fake.responses(responseUrl); return x.length > 0 && x; }, 'button response');
    expect(r.json.replace_original).toBe(true);
    const t = blocksText(r);
    expect(t).toContain('First token');
    expect(t).not.toContain('Per user (batch 1)');
    const buttons = r.json.blocks.find((b: any) => b.type === 'actions').elements;
    expect(buttons.find((e: any) => e.style === 'primary').action_id).toBe(id);
    expect(slackLimitViolations(r.json)).toEqual([]);
  });

  it('a stale or foreign button answers privately and leaves the message alone', async () => {
    const responseUrl = fake.responseUrl();
    await postSigned(eventsUrl, SECRET, buttonBody('compare:decode:nope', responseUrl));
    const [r] = await fake.waitFor(() => { const x = fake.responses(responseUrl); return x.length > 0 && x; }, 'button error');
    expect(r.json.replace_original).toBe(false);
    expect(r.json.response_type).toBe('ephemeral');
  });
});

describe('request verification (Bolt HTTPReceiver)', () => {
  it('rejects a timestamp older than 5 minutes with 401 and does nothing', async () => {
    const responseUrl = fake.responseUrl();
    const ts = Math.floor(Date.now() / 1000) - 6 * 60;
    const http = await postSigned(eventsUrl, SECRET, slashBody('/fit', 'llama-70b cerebras', responseUrl), { ts });
    expect(http.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.responses(responseUrl)).toEqual([]);
  });

  it('accepts a timestamp 4 minutes old (inside the window)', async () => {
    const responseUrl = fake.responseUrl();
    const ts = Math.floor(Date.now() / 1000) - 4 * 60;
    const http = await postSigned(eventsUrl, SECRET, slashBody('/chip', 'h100', responseUrl), { ts });
    expect(http.status).toBe(200);
    await fake.waitFor(() => fake.responses(responseUrl).length > 0, 'answer');
  });

  it('rejects a bad signature, a signature from another secret, and a tampered body with 401', async () => {
    const responseUrl = fake.responseUrl();
    const body = slashBody('/fit', 'llama-70b cerebras', responseUrl);
    const ts = Math.floor(Date.now() / 1000);
    expect((await postSigned(eventsUrl, SECRET, body, { signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await postSigned(eventsUrl, 'another-secret', body)).status).toBe(401);
    const { slackSignature } = await import('./helpers/slack-fake.ts');
    expect((await postSigned(eventsUrl, SECRET, body.replace('cerebras', 'groq'), { ts, signature: slackSignature(SECRET, ts, body) })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.responses(responseUrl)).toEqual([]);
  });
});

describe('parsing the command text', () => {
  const fit = COMMANDS.find((c) => c.name === 'fit')!;
  const compare = COMMANDS.find((c) => c.name === 'compare')!;

  it('fills options positionally and by name, in any order', () => {
    expect(parseCommandText(compare, 'groq etched decode')).toEqual({ options: { a: 'groq', b: 'etched', phase: 'decode' } });
    expect(parseCommandText(fit, 'llama-70b cerebras weights:fp8 context:32768')).toEqual({ options: { model: 'llama-70b', chip: 'cerebras', weights: 'fp8', context: '32768' } });
    expect(parseCommandText(fit, 'chip=cerebras llama-70b')).toEqual({ options: { chip: 'cerebras', model: 'llama-70b' } });
    expect(parseCommandText(fit, 'model:"llama 3.1 70b" “h100 sxm”')).toEqual({ options: { model: 'llama 3.1 70b', chip: 'h100 sxm' } });
    expect(parseCommandText(fit, '')).toEqual({ options: {} });
  });

  it('takes the first word as the subcommand of a command that has subcommands', () => {
    const digest = {
      name: 'digest', description: 'd', input: compare.input, run: () => { throw new Error('unused'); },
      options: [{ name: 'cron', description: 'c', type: 'string' }],
      subcommands: [{ name: 'subscribe', options: [{ name: 'cron', description: 'c', type: 'string' }, { name: 'tz', description: 't', type: 'string' }] }, { name: 'list' }],
    } as unknown as Command<any>;
    expect(parseCommandText(digest, 'subscribe weekly tz:Europe/Berlin')).toEqual({ options: { subcommand: 'subscribe', cron: 'weekly', tz: 'Europe/Berlin' } });
    expect(parseCommandText(digest, 'LIST')).toEqual({ options: { subcommand: 'list' } });
  });
});

describe('Socket Mode', () => {
  it('with an app token: no request listener, and nothing on the network until start()', async () => {
    const before = fake.requests.length;
    const socket = await createSlackApp({ signingSecret: SECRET, botToken: BOT_TOKEN, appToken: 'xapp-1-test', apiUrl: fake.apiUrl, context: () => ({ catalog: catalog() }), logger });
    expect(socket.requestListener).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.requests.length).toBe(before);
  });
});

describe('a bad bot token', () => {
  it('fails createSlackApp with a clear message that does not contain the token', async () => {
    fake.failures['auth.test'] = 'invalid_auth';
    try {
      const err = await createSlackApp({ signingSecret: SECRET, botToken: 'xoxb-wrong-token', apiUrl: fake.apiUrl, context: () => ({ catalog: catalog() }), logger }).then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(/bot token was not accepted.*invalid_auth/);
      expect(err?.message).not.toContain('xoxb-wrong-token');
    } finally {
      delete fake.failures['auth.test'];
    }
  });
});

describe('answers longer than response_url allows', () => {
  it('keeps the first 5 messages (response_url takes 5) and says how many parts were left out', () => {
    const notes = Array.from({ length: 40 }, (_, i) => `note ${i} ${'n'.repeat(2900)}`);
    const msgs = toSlack(answer('Long', 'S', { notes }));
    expect(msgs.length).toBeGreaterThan(5);
    const kept = capped(msgs);
    expect(kept).toHaveLength(5);
    expect(JSON.stringify(kept[4].blocks.at(-1))).toContain(`${msgs.length - 5} more parts were left out`);
    for (const m of kept) expect(slackLimitViolations(m)).toEqual([]);
  });

  it('describes errors in one line without tokens', () => {
    const e = Object.assign(new Error('An API error occurred: not_in_channel\n    at x (y.js:1:1)'), { code: 'slack_webapi_platform_error', data: { error: 'not_in_channel' } });
    expect(describeError(e)).toBe('Error: slack_webapi_platform_error: not_in_channel: An API error occurred: not_in_channel');
    expect(describeError(new Error('bad xoxb-123-abc'))).toBe('Error: bad [token]');
  });
});
