// The gateway path end to end, offline: the real discord.js Client logs in to a fake gateway (a loopback WebSocket
// announced by GET /gateway/bot on the fake REST API), receives INTERACTION_CREATE dispatches, and answers through
// discord.js's own REST calls — which land on the same recording fake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { startDiscordGateway } from '../src/platforms/discord/gateway.ts';
import { command, interaction, opt, startFakeDiscord, type FakeDiscord, type Recorded } from './helpers/discord-fake.ts';
import { embedText, limitViolations } from './helpers/discord-limits.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TOKEN = 'TEST.TOKEN-SECRET';

let fake: FakeDiscord;
let gateway: { stop(): Promise<void> };
const logs: string[] = [];

beforeAll(async () => {
  fake = await startFakeDiscord();
  gateway = await startDiscordGateway({ token: TOKEN, context: () => ({ catalog: catalog() }), apiBase: fake.apiBase, log: (l) => logs.push(l) });
}, 20_000);
afterAll(async () => {
  await gateway?.stop();
  await fake?.close();
});

const callbackFor = (it_: Record<string, unknown>) => fake.waitFor(
  () => fake.requests.find((r) => r.method === 'POST' && r.route === `/api/v10/interactions/${it_.id}/${it_.token}/callback`),
  `interaction callback for ${it_.id}`,
);
const callbackJson = (r: Recorded): any => r.json ?? JSON.parse(r.parts!.find((p) => p.name === 'payload_json')!.data.toString('utf8'));

describe('discord.js gateway against a fake gateway', () => {
  it('logs in with the Guilds intent only, and the bot token only on REST', async () => {
    const identify = fake.gateway.received.find((p) => p.op === 2);
    expect(identify.d.intents).toBe(1); // GatewayIntentBits.Guilds
    expect(identify.d.token).toBe(TOKEN);
    const gw = fake.requests.find((r) => r.route === '/api/v10/gateway/bot');
    expect(gw?.headers.authorization).toBe(`Bot ${TOKEN}`);
  });

  it('/fit llama-70b cerebras is answered with reply() (callback type 4): an embed saying 4 wafers', async () => {
    const it_ = command('fit', [opt('model', 'llama-70b'), opt('chip', 'cerebras')]);
    fake.gateway.dispatch('INTERACTION_CREATE', it_);
    const cb = callbackJson(await callbackFor(it_));
    expect(cb.type).toBe(4);
    expect(cb.data.embeds[0].description).toMatch(/4 wafers/);
    expect(cb.data.flags ?? 0).toBe(0);
    expect(limitViolations(cb.data)).toEqual([]);
  });

  it('/compare groq etched decode defers (type 5), then editReply() PATCHes @original with chart.png', async () => {
    const it_ = command('compare', [opt('a', 'groq'), opt('b', 'etched'), opt('phase', 'decode')]);
    fake.gateway.dispatch('INTERACTION_CREATE', it_);
    const cb = callbackJson(await callbackFor(it_));
    expect(cb.type).toBe(5);
    expect(cb.data?.flags ?? 0).toBe(0);
    const patch = await fake.waitFor(() => fake.requests.find((r) => r.method === 'PATCH' && r.route === `/api/v10/webhooks/app-123/${it_.token}/messages/@original`), 'editReply');

    const payload = JSON.parse(patch.parts!.find((p) => p.name === 'payload_json')!.data.toString('utf8'));
    const file = patch.parts!.find((p) => p.name === 'files[0]')!;
    expect(file.filename).toBe('chart.png');
    expect(file.data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(payload.embeds[0].image.url).toBe('attachment://chart.png');
    expect(payload.attachments).toEqual([expect.objectContaining({ id: '0', description: expect.stringMatching(/Groq/) })]);
    expect(payload.components.flatMap((r: any) => r.components)).toHaveLength(3);
  });

  it('an unknown chip is an ephemeral reply (flags 64)', async () => {
    const it_ = command('fit', [opt('model', 'llama-70b'), opt('chip', 'cerebrus')]);
    fake.gateway.dispatch('INTERACTION_CREATE', it_);
    const cb = callbackJson(await callbackFor(it_));
    expect(cb.type).toBe(4);
    expect(cb.data.flags & 64).toBe(64);
    expect(embedText(cb.data)).toMatch(/cerebras-wse-3/);
  });

  it('autocomplete answers with respond() (type 8)', async () => {
    const it_ = interaction(4, { id: 'cmd-1', name: 'fit', type: 1, options: [{ name: 'chip', type: 3, value: 'cereb', focused: true }] });
    fake.gateway.dispatch('INTERACTION_CREATE', it_);
    const cb = callbackJson(await callbackFor(it_));
    expect(cb.type).toBe(8);
    expect(cb.data.choices.length).toBeLessThanOrEqual(25);
    expect(cb.data.choices.map((c: any) => c.value)).toContain('cerebras-wse-3');
  });

  it('a button press re-renders with deferUpdate() (type 6) + editReply(), the Prefill view active', async () => {
    const it_ = interaction(3, { custom_id: 'compare:prefill:groq-lpu-v1:etched-sohu:llama-3.1-70b', component_type: 2 }, {
      message: { id: '5555', channel_id: 'chan-1', content: '', embeds: [], components: [], attachments: [], type: 0, timestamp: '2024-01-01T00:00:00.000Z', author: { id: '1111', username: 'memwall', discriminator: '0', avatar: null }, tts: false, mention_everyone: false, mentions: [], mention_roles: [], pinned: false, edited_timestamp: null, flags: 0 },
    });
    fake.gateway.dispatch('INTERACTION_CREATE', it_);
    const cb = callbackJson(await callbackFor(it_));
    expect(cb.type).toBe(6);
    const patch = await fake.waitFor(() => fake.requests.find((r) => r.method === 'PATCH' && r.route === `/api/v10/webhooks/app-123/${it_.token}/messages/@original`), 'editReply after deferUpdate');
    const payload = JSON.parse(patch.parts!.find((p) => p.name === 'payload_json')!.data.toString('utf8'));
    expect(payload.embeds[0].description).toMatch(/First token/);
    expect(payload.components.flatMap((r: any) => r.components).filter((b: any) => b.disabled).map((b: any) => b.label)).toEqual(['Prefill']);
  });

  it('a view without a chart is answered with update() (type 7)', async () => {
    const it_ = interaction(3, { custom_id: 'compare:prefill:taalas-hc1:etched-sohu:llama-3.1-70b', component_type: 2 }, {
      message: { id: '5556', channel_id: 'chan-1', content: '', embeds: [], components: [], attachments: [], type: 0, timestamp: '2024-01-01T00:00:00.000Z', author: { id: '1111', username: 'memwall', discriminator: '0', avatar: null }, tts: false, mention_everyone: false, mentions: [], mention_roles: [], pinned: false, edited_timestamp: null, flags: 0 },
    });
    fake.gateway.dispatch('INTERACTION_CREATE', it_);
    const cb = callbackJson(await callbackFor(it_));
    expect(cb.type).toBe(7);
    expect(cb.data.embeds[0].description).toMatch(/Taalas HC1/);
  });

  it('never logs the bot token', () => {
    expect(logs.join('\n')).not.toContain(TOKEN);
  });
});
