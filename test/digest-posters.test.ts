// The posters over real HTTP on 127.0.0.1, against fakes that record what arrived.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestNonce, discordPoster, localPoster, slackPoster } from '../src/digest/posters.ts';
import { PostError } from '../src/digest/types.ts';
import { answer, type Reply } from '../src/reply/reply.ts';
import { toSlack } from '../src/reply/slack.ts';
import { discordPayload, FAKE_PNG, recordingPlayground, startFakeDiscordRest, startFakeSlackApi, type FakeDiscordRest, type FakeSlackApi } from './helpers/digest-fakes.ts';

const digest = (chart = true): Reply => answer('Weekly inference hardware digest', 'Cerebras leads per-user decode on Llama 3.1 70B', {
  fields: [{ name: 'Model', value: 'Llama 3.1 70B' }],
  table: { columns: ['chip', 'tok/s'], rows: [['wse-3', '2100'], ['h100', '60']] },
  ...(chart ? { chart: { spec: { mark: 'point' }, alt: 'decode speed against flexibility' } } : {}),
});

async function failure(p: Promise<unknown>): Promise<PostError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(PostError); return e as PostError; }
  throw new Error('expected the post to fail');
}

describe('discordPoster', () => {
  let fake: FakeDiscordRest;
  beforeAll(async () => { fake = await startFakeDiscordRest(); });
  afterAll(() => fake.close());
  const poster = () => discordPoster({ token: 'bot-token', apiBase: fake.apiBase });

  it('posts embeds + chart as multipart: payload_json and files[0] = chart.png', async () => {
    await poster().post('111', digest(), FAKE_PNG);
    const [r] = fake.posts('111');
    expect(r.method).toBe('POST');
    expect(r.headers.authorization).toBe('Bot bot-token');
    expect(r.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const file = r.parts!.find((p) => p.name === 'files[0]')!;
    expect(file.filename).toBe('chart.png');
    expect(file.contentType).toBe('image/png');
    expect(file.data.equals(FAKE_PNG)).toBe(true);
    const msg = discordPayload(r);
    expect(msg.embeds[0].title).toBe('Weekly inference hardware digest');
    expect(msg.embeds[0].image).toEqual({ url: 'attachment://chart.png' });
    expect(msg.attachments).toEqual([{ id: 0, filename: 'chart.png', description: 'decode speed against flexibility' }]);
    expect(msg.flags).toBeUndefined();
    expect(msg.allowed_mentions).toEqual({ parse: [] });
  });

  it('posts JSON without a chart', async () => {
    await poster().post('222', digest(false), null);
    const [r] = fake.posts('222');
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json.embeds[0].title).toBe('Weekly inference hardware digest');
    expect(r.json.embeds[0].image).toBeUndefined();
  });

  it('HTTP-only: posts with the bot token over REST, with a nonce per (subscription, slot, channel) and enforce_nonce', async () => {
    const meta = { subscriptionId: 3, slot: '2026-03-02T09:00:00.000Z', workspaceId: 'G1', attempt: 1 };
    await poster().post('333', digest(false), null, meta);
    await poster().post('333', digest(false), null, { ...meta, attempt: 2 }); // a retry of the same slot
    await poster().post('333', digest(false), null, { ...meta, slot: '2026-03-09T09:00:00.000Z' });
    const sent = fake.posts('333').map(discordPayload);
    expect(sent.map((m) => m.enforce_nonce)).toEqual([true, true, true]);
    expect(sent[0].nonce).toBe(digestNonce(meta, '333'));
    expect(sent[0].nonce).toHaveLength(25);
    expect(sent[1].nonce).toBe(sent[0].nonce);
    expect(sent[2].nonce).not.toBe(sent[0].nonce);
    expect(digestNonce(meta, '334')).not.toBe(sent[0].nonce);
    expect(fake.created('333')).toHaveLength(2); // the retry returned the first message
  });

  it('a 429 with Retry-After is honoured: @discordjs/rest waits, then the one retry posts', async () => {
    fake.script('c429', { status: 429, body: { message: 'You are being rate limited.', retry_after: 1, global: false }, headers: { 'retry-after': '1' } });
    await poster().post('c429', digest(false), null);
    const [first, second] = fake.posts('c429');
    expect(fake.posts('c429')).toHaveLength(2);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1000); // not before Retry-After (a lower bound, never flaky)
    expect(fake.created('c429')).toHaveLength(1);
  });

  it('maps failures: a wait longer than 2 minutes, 404 Unknown Channel, 403 Missing Access/Permissions, 5xx, 401', async () => {
    fake.script('c429long', { status: 429, body: { message: 'slow down', retry_after: 600 }, headers: { 'retry-after': '600' } });
    let e = await failure(poster().post('c429long', digest(false), null));
    expect(e.failure).toBe('rate-limited');
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(600_000);

    fake.gone.add('gone');
    e = await failure(poster().post('gone', digest(), FAKE_PNG));
    expect(e.failure).toBe('gone');
    expect(e.message).toMatch(/channel not found \(Discord 404 10003/);

    fake.forbidden.set('noaccess', 50001);
    e = await failure(poster().post('noaccess', digest(false), null));
    expect(e.failure).toBe('forbidden');
    expect(e.message).toMatch(/50001 Missing Access/);

    fake.forbidden.set('noperm', 50013);
    expect((await failure(poster().post('noperm', digest(false), null))).failure).toBe('forbidden');

    // the library retries a 5xx three times; the fourth answer is ours
    const err500 = { status: 500, body: { message: 'Internal Server Error' } };
    fake.script('c500', err500, err500, err500, err500);
    e = await failure(poster().post('c500', digest(false), null));
    expect(e.failure).toBe('other');
    expect(e.message).toMatch(/500/);
    expect(fake.posts('c500')).toHaveLength(4);

    fake.script('c401', { status: 401, body: { message: '401: Unauthorized', code: 0 } });
    expect((await failure(poster().post('c401', digest(false), null))).failure).toBe('other');
  });

  it('a connection failure is "other"', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const e = await failure(discordPoster({ token: 't', apiBase: `http://127.0.0.1:${port}/api/v10` }).post('1', digest(false), null));
    expect(e.failure).toBe('other');
    expect(e.message).toMatch(/ECONNREFUSED/);
  });
});

describe('slackPoster', () => {
  let fake: FakeSlackApi;
  const logs: string[] = [];
  beforeAll(async () => { fake = await startFakeSlackApi(); });
  afterAll(() => fake.close());
  const poster = () => slackPoster({ token: 'xoxb-test', apiUrl: fake.apiUrl, log: (l) => logs.push(l) });

  it('chat.postMessage with the blocks from toSlack and the slot\'s metadata, then the chart through filesUploadV2', async () => {
    const before = fake.requests.length;
    const reply = digest();
    await poster().post('C100', reply, FAKE_PNG, { subscriptionId: 7, slot: '2026-03-02T09:00:00.000Z', workspaceId: 'T1', attempt: 1 });
    const calls = fake.requests.slice(before).map((r) => r.path.replace(/\/upload\/.*/, '/upload/…'));
    expect(calls).toEqual(['/api/chat.postMessage', '/api/files.getUploadURLExternal', '/upload/…', '/api/files.completeUploadExternal']);
    const [msg] = fake.api('chat.postMessage').slice(-1);
    expect(msg.headers.authorization).toBe('Bearer xoxb-test');
    expect(msg.form!.channel).toBe('C100');
    expect(JSON.parse(msg.form!.blocks)).toEqual(toSlack(reply)[0].blocks);
    expect(msg.form!.text).toBe(toSlack(reply)[0].text);
    expect(JSON.parse(msg.form!.metadata)).toEqual({ event_type: 'memwall_digest_posted', event_payload: { subscription_id: 7, slot: '2026-03-02T09:00:00.000Z' } });
    const [get] = fake.api('files.getUploadURLExternal').slice(-1);
    expect(get.form).toMatchObject({ filename: 'chart.png', length: String(FAKE_PNG.length) });
    expect(fake.uploads.at(-1)!.body.includes(FAKE_PNG)).toBe(true); // filesUploadV2 sends the bytes (as a form part)
    const [done] = fake.api('files.completeUploadExternal').slice(-1);
    expect(done.form!.channel_id).toBe('C100');
    expect(JSON.parse(done.form!.files)).toEqual([{ id: expect.stringMatching(/^F\d+$/), title: 'Weekly inference hardware digest' }]);
  });

  it('no chart: just chat.postMessage', async () => {
    const before = fake.requests.length;
    await poster().post('C101', digest(false), null);
    expect(fake.requests.slice(before).map((r) => r.path)).toEqual(['/api/chat.postMessage']);
  });

  it('maps errors: channel_not_found/is_archived → gone, not_in_channel/restricted_action → forbidden, 429 → rate-limited', async () => {
    for (const [error, failure_] of [['channel_not_found', 'gone'], ['is_archived', 'gone'], ['not_in_channel', 'forbidden'], ['restricted_action', 'forbidden'], ['msg_too_long', 'other']] as const) {
      fake.channelErrors.set(`C_${error}`, error);
      const e = await failure(poster().post(`C_${error}`, digest(), FAKE_PNG));
      expect(e.failure, error).toBe(failure_);
      expect(e.message, error).toContain(error);
    }
    fake.script('chat.postMessage', { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '7' } });
    const e = await failure(poster().post('C200', digest(false), null));
    expect([e.failure, e.retryAfterMs]).toEqual(['rate-limited', 7000]);
  });

  it('a chart upload that fails after the message went out is logged, not a failed post', async () => {
    fake.script('files.completeUploadExternal', { status: 200, body: { ok: false, error: 'internal_error' } });
    await expect(poster().post('C300', digest(), FAKE_PNG)).resolves.toBeUndefined();
    expect(fake.api('chat.postMessage').at(-1)!.form!.channel).toBe('C300');
    expect(logs.at(-1)).toMatch(/C300: the digest was posted but its chart was not: .*internal_error/);
  });
});

describe('localPoster', () => {
  it('hands the reply to the playground channel', async () => {
    const pg = recordingPlayground();
    const reply = digest();
    await localPoster(pg).post('local-general', reply, FAKE_PNG);
    expect(pg.posted).toEqual([expect.objectContaining({ channelId: 'local-general', reply })]);
  });
  it('a playground error is a PostError', async () => {
    const e = await failure(localPoster({ post: async () => { throw new Error('bad channel'); } }).post('x', digest(), null));
    expect(e.failure).toBe('other');
  });
});
