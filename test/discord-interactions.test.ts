// Discord HTTP interactions end to end over loopback: requests signed with a generated Ed25519 key go to a real
// node:http server running the handler; everything the handler sends to Discord lands on a fake that records it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { createDiscordInteractionsHandler, type DiscordInteractionsOptions } from '../src/platforms/discord/interactions.ts';
import { COLOURS } from '../src/reply/discord.ts';
import {
  command, interaction, newSigner, opt, postInteraction, startInteractionsFixture,
  type FakeDiscord, type InteractionsFixture, type Recorded, type Signer,
} from './helpers/discord-fake.ts';
import { embedText, limitViolations } from './helpers/discord-limits.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const APP = 'app-123';

let fx: InteractionsFixture;
let signer: Signer;
let fake: FakeDiscord;
let logs: string[];
/** A handler on its own loopback server; options override the defaults (e.g. a failing renderer). */
const endpoint = (extra: Partial<DiscordInteractionsOptions> = {}) => fx.endpoint(extra);

let url: string;
beforeAll(async () => {
  fx = await startInteractionsFixture(APP);
  ({ signer, fake, logs } = fx);
  url = await endpoint();
});
afterAll(() => fx.close());

const forToken = (token: string) => (r: Recorded) => r.path.includes(`/webhooks/${APP}/${token}`);
const patchFor = (token: string) => fake.waitFor(() => fake.requests.find((r) => r.method === 'PATCH' && forToken(token)(r)), `PATCH for ${token}`);

/** The payload_json and files[0] parts of a multipart PATCH. */
function multipartPayload(r: Recorded): { payload: any; file?: { filename?: string; contentType?: string; data: Buffer } } {
  expect(String(r.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
  const payloadPart = r.parts!.find((p) => p.name === 'payload_json');
  const filePart = r.parts!.find((p) => p.name === 'files[0]');
  return { payload: JSON.parse(payloadPart!.data.toString('utf8')), file: filePart };
}

describe('signature verification', () => {
  it('PING is answered with PONG', async () => {
    const r = await postInteraction(url, signer, { type: 1, id: '1', application_id: APP, token: 't', version: 1 });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ type: 1 });
  });

  it('a missing signature is refused with 401', async () => {
    const r = await postInteraction(url, null, { type: 1 });
    expect(r.status).toBe(401);
  });

  it('a signature from another key is refused with 401', async () => {
    const r = await postInteraction(url, newSigner(), { type: 1 });
    expect(r.status).toBe(401);
  });

  it('a tampered body (signed one thing, sent another) is refused with 401', async () => {
    const body = JSON.stringify({ type: 1 });
    const r = await postInteraction(url, signer, body, { body: body.replace('1', '2') });
    expect(r.status).toBe(401);
    const r2 = await postInteraction(url, signer, body, { sign: `${body} ` });
    expect(r2.status).toBe(401);
  });

  it('a garbage signature or a changed timestamp is refused with 401, and a command is never run', async () => {
    const before = fake.requests.length;
    const body = JSON.stringify(command('compare', [opt('a', 'groq'), opt('b', 'etched')]));
    const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': 'zz', 'x-signature-timestamp': '1' }, body });
    expect(bad.status).toBe(401);
    // sign with one timestamp, send another
    const { signature } = await import('./helpers/discord-fake.ts');
    const sig = signature(signer, '1700000000', body);
    const shifted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': sig, 'x-signature-timestamp': '1700000001' }, body });
    expect(shifted.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.requests.length).toBe(before);
  });

  it('a valid signature over a non-interaction body is a 400, not a crash', async () => {
    const r = await postInteraction(url, signer, 'not json');
    expect(r.status).toBe(400);
  });
});

describe('slash commands', () => {
  it('/fit llama-70b cerebras answers at once (type 4) with an embed saying 4 wafers', async () => {
    const it_ = command('fit', [opt('model', 'llama-70b'), opt('chip', 'cerebras')]);
    const r = await postInteraction(url, signer, it_);
    expect(r.status).toBe(200);
    expect(r.json.type).toBe(4);
    const data = r.json.data;
    expect(data.flags).toBeUndefined();
    expect(data.embeds[0].title).toContain('Cerebras');
    expect(data.embeds[0].description).toMatch(/4 wafers/);
    expect(data.allowed_mentions).toEqual({ parse: [] });
    expect(limitViolations(data)).toEqual([]);
    // nothing went to the REST API for this interaction
    await new Promise((res) => setTimeout(res, 50));
    expect(fake.requests.filter(forToken(it_.token as string))).toEqual([]);
  });

  it('/compare groq etched decode defers (type 5), then PATCHes @original with the chart PNG and 3 buttons', async () => {
    const it_ = command('compare', [opt('a', 'groq'), opt('b', 'etched'), opt('phase', 'decode')]);
    const r = await postInteraction(url, signer, it_);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ type: 5 }); // public: the answer is known to be an answer, not a private error
    const patch = await patchFor(it_.token as string);
    expect(patch.path).toBe(`/api/v10/webhooks/${APP}/${it_.token}/messages/@original`);
    const { payload, file } = multipartPayload(patch);
    expect(file?.filename).toBe('chart.png');
    expect(file?.contentType).toBe('image/png');
    expect(file!.data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(file!.data.length).toBeGreaterThan(1000);
    expect(payload.attachments).toEqual([{ id: 0, filename: 'chart.png', description: expect.any(String) }]);
    expect(payload.embeds[0].image).toEqual({ url: 'attachment://chart.png' });
    expect(payload.embeds[0].title).toMatch(/Groq.*Etched/);
    expect(payload.embeds[0].description).toMatch(/faster per user at decode/);
    const buttons = payload.components.flatMap((row: any) => row.components);
    expect(buttons).toHaveLength(3);
    expect(buttons.map((b: any) => b.label)).toEqual(['Prefill', 'Decode', 'Both']);
    expect(buttons.find((b: any) => b.label === 'Decode')).toMatchObject({ style: 1, disabled: true });
    expect(buttons.every((b: any) => b.custom_id.startsWith('compare:'))).toBe(true);
    expect(payload.flags).toBeUndefined();
    expect(limitViolations(payload)).toEqual([]);
  });

  const quick: [string, unknown[], RegExp][] = [
    ['estimate', [opt('model', 'llama-3.1-70b'), opt('chip', 'h100'), opt('chips', 8)], /tok\/s/],
    ['chip', [opt('name', 'wse-3')], /Cerebras WSE-3/],
    ['chip', [], /chip/i],
    ['model', [opt('name', 'llama-3.1-70b')], /Llama 3\.1 70B/],
    ['sources', [], /Calibration rows/],
  ];
  for (const [name, options, expected] of quick) {
    it(`/${name} ${options.map((o: any) => o.value).join(' ')} answers with an embed within the limits`, async () => {
      const r = await postInteraction(url, signer, command(name, options));
      expect(r.status).toBe(200);
      expect(r.json.type).toBe(4);
      expect(r.json.data.flags).toBeUndefined();
      expect(embedText(r.json.data)).toMatch(expected);
      expect(r.json.data.embeds[0].color).toBe(COLOURS.answer);
      expect(limitViolations(r.json.data)).toEqual([]);
    });
  }

  it('an unknown chip gets an ephemeral did-you-mean', async () => {
    const r = await postInteraction(url, signer, command('fit', [opt('model', 'llama-70b'), opt('chip', 'cerebrus')]));
    expect(r.json.type).toBe(4);
    expect(r.json.data.flags).toBe(64);
    expect(r.json.data.embeds[0].color).toBe(COLOURS.error);
    expect(embedText(r.json.data)).toMatch(/Did you mean `cerebras-wse-3`/);
  });

  it('an unknown chip in /compare (a slow command) is still an ephemeral answer, not a public placeholder', async () => {
    const it_ = command('compare', [opt('a', 'groq'), opt('b', 'cerebrus')]);
    const r = await postInteraction(url, signer, it_);
    expect(r.json.type).toBe(4);
    expect(r.json.data.flags).toBe(64);
    expect(embedText(r.json.data)).toMatch(/cerebras-wse-3/);
  });

  it('an unknown command is a polite ephemeral reply', async () => {
    const r = await postInteraction(url, signer, command('nope'));
    expect(r.json.type).toBe(4);
    expect(r.json.data.flags).toBe(64);
    expect(embedText(r.json.data)).toMatch(/don't have a command called \/nope/);
  });

  it('bad option values are a polite ephemeral reply', async () => {
    const r = await postInteraction(url, signer, command('fit', [opt('model', 'llama-70b'), opt('chip', 'h100'), opt('chips', 0)]));
    expect(r.json.data.flags).toBe(64);
    expect(embedText(r.json.data)).toMatch(/chips/);
  });
});

describe('autocomplete', () => {
  const focused = (name: string, value: string) => ({ name, type: 3, value, focused: true });

  it('chip "cereb" suggests cerebras-wse-3 (type 8, at most 25 choices)', async () => {
    const r = await postInteraction(url, signer, interaction(4, { name: 'fit', type: 1, options: [opt('model', 'llama-70b'), focused('chip', 'cereb')] }));
    expect(r.json.type).toBe(8);
    const choices = r.json.data.choices;
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    expect(choices.map((c: any) => c.value)).toContain('cerebras-wse-3');
    expect(choices[0].value).toBe('cerebras-wse-3');
    for (const c of choices) expect(c.name.length).toBeLessThanOrEqual(100);
  });

  it('model "llama 3" suggests Llama ids (at most 25)', async () => {
    const r = await postInteraction(url, signer, interaction(4, { name: 'estimate', type: 1, options: [focused('model', 'llama 3')] }));
    expect(r.json.type).toBe(8);
    const values: string[] = r.json.data.choices.map((c: any) => c.value);
    expect(values.length).toBeLessThanOrEqual(25);
    expect(values.some((v) => v.startsWith('llama-3'))).toBe(true);
    expect(values.slice(0, 3).every((v) => v.startsWith('llama'))).toBe(true);
  });

  it('topic autocomplete (/explain) is served too', async () => {
    const r = await postInteraction(url, signer, interaction(4, { name: 'explain', type: 1, options: [focused('topic', 'memory')] }));
    expect(r.json.type).toBe(8);
    expect(r.json.data.choices.map((c: any) => c.value)).toContain('memory-wall');
  });

  it('an empty query still answers (≤25 choices), and an unknown option answers with none', async () => {
    const r = await postInteraction(url, signer, interaction(4, { name: 'compare', type: 1, options: [focused('a', '')] }));
    expect(r.json.type).toBe(8);
    expect(r.json.data.choices.length).toBeGreaterThan(0);
    expect(r.json.data.choices.length).toBeLessThanOrEqual(25);
    const none = await postInteraction(url, signer, interaction(4, { name: 'compare', type: 1, options: [focused('zzz', 'x')] }));
    expect(none.json).toEqual({ type: 8, data: { choices: [] } });
  });
});

describe('buttons', () => {
  const press = (customId: string) => interaction(3, { custom_id: customId, component_type: 2 }, { message: { id: 'm1', channel_id: 'chan-1', content: '', embeds: [], components: [] } });

  it('compare:prefill:… acknowledges (type 6) and re-renders the message with the Prefill view and a new chart', async () => {
    const it_ = press('compare:prefill:groq-lpu-v1:etched-sohu:llama-3.1-70b');
    const r = await postInteraction(url, signer, it_);
    expect(r.json).toEqual({ type: 6 });
    const patch = await patchFor(it_.token as string);
    const { payload, file } = multipartPayload(patch);
    expect(file!.data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(payload.embeds[0].description).toMatch(/First token/);
    expect(payload.embeds[0].description).not.toMatch(/Per user/);
    const active = payload.components.flatMap((row: any) => row.components).filter((b: any) => b.disabled);
    expect(active.map((b: any) => b.label)).toEqual(['Prefill']);
    expect(payload.attachments).toEqual([{ id: 0, filename: 'chart.png', description: expect.any(String) }]);
  });

  it('a view without a chart is answered in place (type 7), dropping the old attachment', async () => {
    const r = await postInteraction(url, signer, press('compare:prefill:taalas-hc1:etched-sohu:llama-3.1-70b'));
    expect(r.json.type).toBe(7);
    expect(r.json.data.embeds[0].description).toMatch(/Taalas HC1/);
    expect(r.json.data.attachments).toEqual([]);
    expect(r.json.data.flags).toBeUndefined();
    expect(r.json.data.components.flatMap((row: any) => row.components).find((b: any) => b.disabled).label).toBe('Prefill');
  });

  it('an expired or foreign button gets an ephemeral note and leaves the shared message alone', async () => {
    const r = await postInteraction(url, signer, press('nope:1'));
    expect(r.json.type).toBe(4);
    expect(r.json.data.flags).toBe(64);
    expect(embedText(r.json.data)).toMatch(/expired/);
  });
});

describe('deferred answers and failures', () => {
  it('a slow command deferred before its answer is known: a private answer replaces the public placeholder with an ephemeral follow-up', async () => {
    const u = await endpoint({ slowAnswerWithinMs: 0 });
    const it_ = command('compare', [opt('a', 'groq'), opt('b', 'cerebrus')]);
    const r = await postInteraction(u, signer, it_);
    expect(r.json).toEqual({ type: 5 });
    const followUp = await fake.waitFor(() => fake.requests.find((x) => x.method === 'POST' && x.path === `/api/v10/webhooks/${APP}/${it_.token}`), 'follow-up');
    expect(followUp.json.flags).toBe(64);
    expect(embedText(followUp.json)).toMatch(/cerebras-wse-3/);
    const del = fake.requests.find((x) => x.method === 'DELETE' && forToken(it_.token as string)(x));
    expect(del?.path).toBe(`/api/v10/webhooks/${APP}/${it_.token}/messages/@original`);
    expect(fake.requests.indexOf(del!)).toBeLessThan(fake.requests.indexOf(followUp));
  });

  it('a slow command deferred before its answer is known: a public answer PATCHes @original', async () => {
    const u = await endpoint({ slowAnswerWithinMs: 0 });
    const it_ = command('compare', [opt('a', 'groq'), opt('b', 'etched'), opt('phase', 'decode')]);
    const r = await postInteraction(u, signer, it_);
    expect(r.json).toEqual({ type: 5 });
    const { payload, file } = multipartPayload(await patchFor(it_.token as string));
    expect(file!.data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(payload.embeds[0].title).toMatch(/Groq/);
  });

  for (const [what, render] of [
    ['returns null', async () => null],
    ['throws', async () => { throw new Error('resvg exploded'); }],
  ] as const) {
    it(`a chart renderer that ${what} degrades to the table without the image, never to an error`, async () => {
      const u = await endpoint({ render });
      const it_ = command('compare', [opt('a', 'groq'), opt('b', 'etched'), opt('phase', 'decode')]);
      const r = await postInteraction(u, signer, it_);
      expect(r.json.type).toBe(5);
      const patch = await patchFor(it_.token as string);
      expect(String(patch.headers['content-type'])).toMatch(/^application\/json/);
      expect(patch.json.embeds[0].image).toBeUndefined();
      expect(patch.json.embeds[0].color).toBe(COLOURS.answer);
      expect(patch.json.embeds[0].description).toMatch(/```[\s\S]*Per user[\s\S]*```/);
      expect(patch.json.attachments).toEqual([]);
    });
  }

  it('a chart that never finishes is given up after renderTimeoutMs; the table goes out', async () => {
    const u = await endpoint({ render: () => new Promise(() => {}), renderTimeoutMs: 200 });
    const it_ = command('compare', [opt('a', 'groq'), opt('b', 'etched')]);
    expect((await postInteraction(u, signer, it_)).json.type).toBe(5);
    const patch = await patchFor(it_.token as string);
    expect(patch.json.embeds[0].image).toBeUndefined();
  });

  it('a 429 from Discord is retried after retry_after', async () => {
    const it_ = command('compare', [opt('a', 'groq'), opt('b', 'etched'), opt('phase', 'decode')]);
    fake.failNext(`${it_.token}/messages/@original`, 429, { message: 'You are being rate limited.', retry_after: 0.05, global: false });
    await postInteraction(url, signer, it_);
    await fake.waitFor(() => fake.requests.filter((x) => x.method === 'PATCH' && forToken(it_.token as string)(x)).length >= 2, 'the retried PATCH');
    const patches = fake.requests.filter((x) => x.method === 'PATCH' && forToken(it_.token as string)(x));
    expect(patches).toHaveLength(2);
    expect(multipartPayload(patches[1]).file!.data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('a failing PATCH is logged without the interaction token', async () => {
    const it_ = command('compare', [opt('a', 'groq'), opt('b', 'etched'), opt('phase', 'decode')]);
    // the first PATCH (the answer) and the second (the polite failure notice) both fail
    fake.failNext(`${it_.token}/messages/@original`, 500, { message: 'boom' }, 2);
    const from = logs.length;
    await postInteraction(url, signer, it_);
    await fake.waitFor(() => fake.requests.filter((x) => x.method === 'PATCH' && forToken(it_.token as string)(x)).length >= 2, 'two PATCHes');
    await fake.waitFor(() => logs.slice(from).some((l) => l.includes('could not report')), 'the failure to be logged');
    const mine = logs.slice(from).join('\n');
    expect(mine).toMatch(/PATCH \/webhooks\/app-123\/<token>\/messages\/@original → 500/);
    expect(mine).not.toContain(it_.token as string);
    expect(mine).not.toContain('SECRET');
  });

  it('an internal failure answers politely and privately, with no stack trace, and logs it server-side', async () => {
    const from = logs.length;
    const u = await endpoint({ context: () => { throw new Error('database on fire at /srv/secret/path.ts:12'); } });
    const r = await postInteraction(u, signer, command('fit', [opt('model', 'llama-70b'), opt('chip', 'cerebras')]));
    expect(r.status).toBe(200);
    expect(r.json.type).toBe(4);
    expect(r.json.data.flags).toBe(64);
    expect(r.text).toMatch(/went wrong on my side/);
    expect(r.text).not.toMatch(/database on fire|secret|\.ts:\d+|\n\s+at /);
    expect(logs.slice(from).join('\n')).toMatch(/database on fire/);
    // PING still works even when the context is broken
    expect((await postInteraction(u, signer, { type: 1 })).json).toEqual({ type: 1 });
  });

  it('only POST is accepted', async () => {
    const r = await fetch(url, { method: 'GET' });
    expect(r.status).toBe(405);
  });

  it('a body over 1 MiB is refused with 413 before verification', async () => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 10) });
    expect(r.status).toBe(413);
  });

  it('a malformed public key is a clear configuration error at startup', () => {
    expect(() => createDiscordInteractionsHandler({ publicKey: 'nothex', applicationId: APP, context: () => ({ catalog: catalog() }) })).toThrow(/DISCORD_PUBLIC_KEY/);
  });
});
