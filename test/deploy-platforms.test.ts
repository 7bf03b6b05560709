// /frontier, /plan and /disagg on Discord (signed HTTP interactions over loopback), Slack (signed slash commands over
// loopback) and the playground's slash parser: charts, platform limits, autocomplete, private errors for bad targets.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.ts';
import { catalog } from '../src/catalog/load.ts';
import { commandDefinition } from '../src/platforms/discord/definitions.ts';
import { createDiscordInteractionsHandler } from '../src/platforms/discord/interactions.ts';
import { completeSlash, parseSlash } from '../src/platforms/local/slash.ts';
import { createSlackApp, type SlackApp } from '../src/platforms/slack/app.ts';
import { parseCommandText } from '../src/platforms/slack/parse.ts';
import { command, interaction, newSigner, opt, postInteraction, startFakeDiscord, startInteractionsServer, type FakeDiscord, type Recorded, type Signer } from './helpers/discord-fake.ts';
import { limitViolations } from './helpers/discord-limits.ts';
import { postSigned, slashBody, startFakeSlack, type FakeSlack } from './helpers/slack-fake.ts';
import { slackLimitViolations } from './helpers/slack-limits.ts';

const APP = 'app-123';
const ctx = () => ({ catalog: catalog() });
const find = (name: string) => COMMANDS.find((c) => c.name === name)!;

describe('command definitions', () => {
  it('the three commands register within Discord limits, chips and models autocompleted', () => {
    for (const name of ['frontier', 'plan', 'disagg']) {
      const def = commandDefinition(find(name));
      expect(def.options.length, name).toBeLessThanOrEqual(25);
      for (const o of def.options) expect(o.description.length, `${name} ${o.name}`).toBeLessThanOrEqual(100);
      const firstOptional = def.options.findIndex((o) => !o.required);
      expect(def.options.slice(firstOptional).every((o) => !o.required), name).toBe(true);
      expect(def.options.find((o) => o.name === 'model')?.autocomplete, name).toBe(true);
    }
    const frontier = commandDefinition(find('frontier'));
    expect(frontier.options.filter((o) => /^chip\d?$/.test(o.name)).map((o) => o.autocomplete)).toEqual(Array(8).fill(true));
    expect(commandDefinition(find('disagg')).options.find((o) => o.name === 'link')?.autocomplete).toBe(true);
  });
});

describe('Discord HTTP interactions', () => {
  let signer: Signer, fake: FakeDiscord, url: string, server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    signer = newSigner();
    fake = await startFakeDiscord();
    const handler = createDiscordInteractionsHandler({ publicKey: signer.publicKeyHex, applicationId: APP, apiBase: fake.apiBase, context: ctx, log: () => {} });
    server = await startInteractionsServer(handler);
    url = server.url;
  });
  afterAll(async () => { await server.close(); await fake.close(); });
  const patchFor = (token: string) => fake.waitFor(() => fake.requests.find((r: Recorded) => r.method === 'PATCH' && r.path.includes(`/webhooks/${APP}/${token}`)), `PATCH for ${token}`);

  it('/frontier defers, then edits in the answer with the chart PNG, within limits', async () => {
    const it_ = command('frontier', [opt('model', 'llama-3.3-70b'), opt('chip', 'b200'), opt('chip2', 'h100'), opt('chip3', 'mi355x'), opt('chip4', 'cerebras'), opt('chip5', 'groq')]);
    const r = await postInteraction(url, signer, it_);
    expect(r.json).toEqual({ type: 5 });
    const patch = await patchFor(it_.token as string);
    const payload = JSON.parse(patch.parts!.find((p) => p.name === 'payload_json')!.data.toString('utf8'));
    const file = patch.parts!.find((p) => p.name === 'files[0]')!;
    expect(file.data.subarray(1, 4).toString()).toBe('PNG');
    expect(payload.embeds[0].image).toEqual({ url: 'attachment://chart.png' });
    expect(payload.embeds[0].description).toMatch(/500/); // the interactivity table
    expect(limitViolations(payload)).toEqual([]);
  }, 20_000);

  it('/plan with a zero target is an immediate private error', async () => {
    const r = await postInteraction(url, signer, command('plan', [opt('model', 'llama-3.1-70b'), opt('ttft-ms', 0), opt('tok-s-user', 50)]));
    expect(r.json.type).toBe(4);
    expect(r.json.data.flags).toBe(64);
    expect(JSON.stringify(r.json.data.embeds)).toMatch(/ttft-ms must be more than 0/);
  });

  it('/plan and /disagg answer within limits', async () => {
    for (const it_ of [
      command('plan', [opt('model', 'llama-3.1-70b'), opt('ttft-ms', 500), opt('tok-s-user', 50), opt('users', 1000)]),
      command('disagg', [opt('model', 'kimi-k2'), opt('prefill-chip', 'rubin'), opt('decode-chip', 'groq-3'), opt('users', 1000), opt('ttft-ms', 1000), opt('tok-s-user', 100)]),
    ]) {
      const r = await postInteraction(url, signer, it_);
      expect(r.status).toBe(200);
      const payload = r.json.type === 4 ? r.json.data : JSON.parse((await patchFor(it_.token as string)).parts!.find((p) => p.name === 'payload_json')!.data.toString('utf8'));
      expect(payload.flags).toBeUndefined();
      expect(limitViolations(payload)).toEqual([]);
    }
  }, 30_000);

  it('autocompletes chips in every chip slot and models', async () => {
    const focused = (name: string, value: string) => ({ name, type: 3, value, focused: true });
    const r = await postInteraction(url, signer, interaction(4, { name: 'frontier', type: 1, options: [opt('model', 'llama-3.3-70b'), opt('chip', 'b200'), focused('chip3', 'mi35')] }));
    expect(r.json.type).toBe(8);
    expect(r.json.data.choices[0].value).toBe('mi355x');
    const m = await postInteraction(url, signer, interaction(4, { name: 'plan', type: 1, options: [focused('model', 'kimi')] }));
    expect(m.json.data.choices[0].value).toBe('kimi-k2');
  });
});

describe('Slack slash commands', () => {
  const SECRET = 'test-signing-secret-0123456789abcdef';
  let fake: FakeSlack, slack: SlackApp, server: Server, eventsUrl: string;
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error' as any, setName() {} };
  beforeAll(async () => {
    fake = await startFakeSlack();
    slack = await createSlackApp({ signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: fake.apiUrl, context: ctx, logger: quiet });
    await slack.start();
    server = createServer((req, res) => (slack.requestListener ? void slack.requestListener(req, res) : res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  }, 30_000);
  afterAll(async () => { await slack.stop(); await new Promise<void>((r) => server.close(() => r())); await fake.close(); });
  async function slash(cmd: string, text: string) {
    const responseUrl = fake.responseUrl();
    const http = await postSigned(eventsUrl, SECRET, slashBody(cmd, text, responseUrl));
    const responses = await fake.waitFor(() => { const r = fake.responses(responseUrl); return r.length >= 1 && r; }, `${cmd} ${text}`);
    return { http, json: responses[0].json };
  }

  it('/plan with targets as key:value answers in the channel within Block Kit limits', async () => {
    const { http, json } = await slash('/plan', 'llama-3.1-70b ttft-ms:500 tok-s-user:50 users:1000');
    expect(http.status).toBe(200);
    expect(json.response_type).toBe('in_channel');
    expect(slackLimitViolations(json)).toEqual([]);
    expect(JSON.stringify(json.blocks)).toMatch(/chips meet it/);
  }, 20_000);

  it('/frontier takes chips as positional words; a negative target on /disagg is private', async () => {
    const f = await slash('/frontier', 'llama-3.3-70b b200 h100 groq');
    expect(f.json.response_type).toBe('in_channel');
    expect(slackLimitViolations(f.json)).toEqual([]);
    const bad = await slash('/disagg', 'kimi-k2 rubin groq-3 tok-s-user:-100');
    expect(bad.json.response_type).toBe('ephemeral');
    expect(JSON.stringify(bad.json.blocks)).toMatch(/tok-s-user must be more than 0/);
  }, 20_000);

  it('parses the done-when forms', () => {
    expect(parseCommandText(find('frontier'), 'llama-3.3-70b b200 h100 mi355x cerebras groq')).toEqual({ options: { model: 'llama-3.3-70b', chip: 'b200', chip2: 'h100', chip3: 'mi355x', chip4: 'cerebras', chip5: 'groq' } });
    expect(parseCommandText(find('disagg'), 'kimi-k2 rubin groq-3 users:1000 ttft-ms:1000 tok-s-user:100')).toEqual({ options: { model: 'kimi-k2', 'prefill-chip': 'rubin', 'decode-chip': 'groq-3', users: '1000', 'ttft-ms': '1000', 'tok-s-user': '100' } });
  });
});

describe('playground', () => {
  it('parses the three commands and autocompletes chips in the later slots', () => {
    expect(parseSlash('/frontier llama-3.3-70b b200 h100 mi355x cerebras groq')).toEqual({ name: 'frontier', options: { model: 'llama-3.3-70b', chip: 'b200', chip2: 'h100', chip3: 'mi355x', chip4: 'cerebras', chip5: 'groq' } });
    expect(parseSlash('/plan llama-3.1-70b ttft-ms:500 tok-s-user:50 users:1000')).toEqual({ name: 'plan', options: { model: 'llama-3.1-70b', 'ttft-ms': '500', 'tok-s-user': '50', users: '1000' } });
    const s = completeSlash('/frontier llama-3.3-70b b200 h10', ctx());
    expect(s[0].text).toBe('/frontier llama-3.3-70b b200 h100-sxm ');
    const m = completeSlash('/disagg kim', ctx());
    expect(m[0].text).toBe('/disagg kimi-k2 ');
  });
});
