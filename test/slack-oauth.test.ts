// Slack installed in several workspaces through Bolt's OAuth flow, end to end over loopback HTTP: GET /slack/install,
// Slack's redirect to GET /slack/oauth_redirect, the token exchange against a fake oauth.v2.access, the installation
// stored encrypted (AES-256-GCM) in the database; then a slash command from the second workspace is answered, and
// digests go out to each workspace with that workspace's own token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { slackPoster } from '../src/digest/posters.ts';
import { createScheduler } from '../src/digest/scheduler.ts';
import { openStore } from '../src/digest/store.ts';
import { start, type Running } from '../src/main.ts';
import { decrypt, storeInstallations } from '../src/platforms/slack/installations.ts';
import { testBuild } from './helpers/digest-fakes.ts';
import { postSigned, slashBody, startFakeSlack, type FakeSlack } from './helpers/slack-fake.ts';

const SIGNING = 'oauth-test-signing-secret-0123456789';
const KEY_HEX = 'a1'.repeat(32);
const env = (db: string, apiUrl: string, extra: Record<string, string> = {}) => ({
  PORT: '0', HOST: '127.0.0.1', MEMWALL_DB: db, SLACK_API_URL: apiUrl, SLACK_SIGNING_SECRET: SIGNING,
  SLACK_CLIENT_ID: '1234567890.987654321', SLACK_CLIENT_SECRET: 'client-secret-0123456789', SLACK_STATE_SECRET: 'state-secret-0123456789abcdef',
  MEMWALL_ENCRYPTION_KEY: KEY_HEX, LOG_LEVEL: 'debug', ...extra,
});

let dir: string;
let fake: FakeSlack;
let running: Running;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'memwall-oauth-'));
  fake = await startFakeSlack();
  running = await start(loadConfig(env(join(dir, 'memwall.db'), fake.apiUrl)), (l) => lines.push(l));
  base = `http://127.0.0.1:${running.port}`;
}, 30_000);
afterAll(async () => {
  await running?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** what a person's browser does: open the install page, "click" Add to Slack, and come back from Slack with a code */
async function install(teamId: string, botToken: string) {
  const page = await fetch(`${base}/slack/install`);
  expect(page.status).toBe(200);
  const html = await page.text();
  const href = /href="(https:\/\/slack\.com\/oauth[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  expect(href).toMatch(/^https:\/\/slack\.com\/oauth\/v2\/authorize\?/);
  const authorize = new URL(href!);
  expect(authorize.searchParams.get('client_id')).toBe('1234567890.987654321');
  expect(authorize.searchParams.get('scope')).toContain('chat:write');
  const state = authorize.searchParams.get('state')!;
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  expect(cookie).toMatch(/^slack-app-oauth-state=/);
  // Slack shows its consent screen, then redirects back with a one-time code
  const code = `code-${teamId}`;
  fake.oauthCodes.set(code, { teamId, teamName: `Team ${teamId}`, botToken, botUserId: `U${teamId}BOT`, userId: `U${teamId}ADMIN` });
  const back = await fetch(`${base}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`, { headers: { cookie } });
  return { status: back.status, body: await back.text() };
}

describe('Slack OAuth install for several workspaces', () => {
  it('install → redirect → token exchange; the installation is stored encrypted', async () => {
    const one = await install('T1ALPHA', 'xoxb-t1-alpha-token-secret');
    expect(one.status).toBe(200);
    const two = await install('T2BETA', 'xoxb-t2-beta-token-secret');
    expect(two.status).toBe(200);
    const exchange = fake.api('oauth.v2.access');
    expect(exchange.map((r) => r.form?.code)).toEqual(['code-T1ALPHA', 'code-T2BETA']);
    expect(exchange[0].form).toMatchObject({ client_id: '1234567890.987654321', client_secret: 'client-secret-0123456789' });

    const db = new Database(join(dir, 'memwall.db'), { readonly: true });
    const rows = db.prepare("SELECT install_key, data FROM slack_installations WHERE install_key LIKE 'team:%' ORDER BY install_key").all() as { install_key: string; data: string }[];
    db.close();
    expect(rows.map((r) => r.install_key)).toEqual(['team:T1ALPHA', 'team:T2BETA']);
    for (const r of rows) {
      expect(r.data).toMatch(/^v1:/);
      expect(r.data).not.toMatch(/xoxb|secret|T1ALPHA|T2BETA/);
    }
    const key = Buffer.from(KEY_HEX, 'hex');
    expect(JSON.parse(decrypt(key, rows[1].data, 'team:T2BETA')).bot.token).toBe('xoxb-t2-beta-token-secret');
    // bound to its row: the ciphertext of one team does not open as another's
    expect(() => decrypt(key, rows[1].data, 'team:T1ALPHA')).toThrow(/does not decrypt/);
  });

  it('a forged state is refused and nothing is exchanged or stored', async () => {
    const before = fake.api('oauth.v2.access').length;
    fake.oauthCodes.set('code-evil', { teamId: 'TEVIL', teamName: 'Evil', botToken: 'xoxb-evil', botUserId: 'UEVIL', userId: 'UE' });
    const r = await fetch(`${base}/slack/oauth_redirect?code=code-evil&state=forged`);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(fake.api('oauth.v2.access').length).toBe(before);
  });

  it('a slash command from the second workspace is answered with that workspace’s token; its digest and the first one’s each use their own', async () => {
    const responseUrl = fake.responseUrl();
    const sub = await postSigned(`${base}/slack/events`, SIGNING, slashBody('/digest', 'subscribe weekly', responseUrl, { team_id: 'T2BETA', channel_id: 'C2BETA' }));
    expect(sub.status).toBe(200);
    const answered = await fake.waitFor(() => fake.responses(responseUrl)[0], 'the /digest answer');
    expect(JSON.stringify(answered.json)).toMatch(/Digest subscribed/);
    // the channel check went out with the T2 token
    expect(fake.api('conversations.info').at(-1)?.headers.authorization).toBe('Bearer xoxb-t2-beta-token-secret');

    const fit = fake.responseUrl();
    await postSigned(`${base}/slack/events`, SIGNING, slashBody('/fit', 'llama-70b cerebras', fit, { team_id: 'T1ALPHA', channel_id: 'C1ALPHA' }));
    expect(JSON.stringify((await fake.waitFor(() => fake.responses(fit)[0], 'the /fit answer')).json)).toMatch(/4 wafers/);
    await postSigned(`${base}/slack/events`, SIGNING, slashBody('/digest', 'subscribe weekly', fake.responseUrl(), { team_id: 'T1ALPHA', channel_id: 'C1ALPHA' }));

    // the digests, from the same database, through the same token lookup main uses
    const store = await openStore(join(dir, 'memwall.db'));
    for (let i = 0; i < 300 && (await store.list()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const installs = storeInstallations(store, Buffer.from(KEY_HEX, 'hex'));
    const subs = await store.list();
    expect(subs.map((s) => [s.channelId, s.workspaceId]).sort()).toEqual([['C1ALPHA', 'T1ALPHA'], ['C2BETA', 'T2BETA']]);
    const clock = { t: new Date('2030-01-07T09:00:30Z') }; // the Monday 09:00 slot, well after subscribing
    const scheduler = createScheduler({ store, posters: { slack: slackPoster({ token: (ws) => installs.botToken(ws), apiUrl: fake.apiUrl }) }, build: testBuild().build, now: () => clock.t, log: () => undefined, paceMs: 0 });
    const r = await scheduler.tick();
    expect(r.posted.map((p) => p.channelId).sort()).toEqual(['C1ALPHA', 'C2BETA']);
    const posts = fake.api('chat.postMessage').filter((p) => p.form?.channel === 'C1ALPHA' || p.form?.channel === 'C2BETA');
    expect(Object.fromEntries(posts.map((p) => [p.form!.channel, p.headers.authorization]))).toEqual({
      C1ALPHA: 'Bearer xoxb-t1-alpha-token-secret', C2BETA: 'Bearer xoxb-t2-beta-token-secret',
    });
    await scheduler.stop();
    await store.close();
  });

  it('a log line produced during Slack requests holds no token, client secret or signing secret', () => {
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    const all = lines.join('\n');
    expect(all).toMatch(/"command":"fit"/);
    const leaks = lines.filter((l) => /xoxb-t1|xoxb-t2|client-secret-0123|oauth-test-signing-secret|state-secret-0123|a1a1a1a1/.test(l));
    expect(leaks).toEqual([]);
  });

  it('a wrong MEMWALL_ENCRYPTION_KEY is a clear start-up error; a missing one a configuration error', async () => {
    await expect(start(loadConfig(env(join(dir, 'memwall.db'), fake.apiUrl, { MEMWALL_ENCRYPTION_KEY: 'b2'.repeat(32) })), () => undefined))
      .rejects.toThrow(/^MEMWALL_ENCRYPTION_KEY does not decrypt the stored Slack installations/);
    expect(() => loadConfig(env(join(dir, 'x.db'), fake.apiUrl, { MEMWALL_ENCRYPTION_KEY: '' }))).toThrow(/^MEMWALL_ENCRYPTION_KEY is required for the multi-workspace Slack install/);
    expect(() => loadConfig(env(join(dir, 'x.db'), fake.apiUrl, { MEMWALL_ENCRYPTION_KEY: 'too-short' }))).toThrow(/^MEMWALL_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or base64/);
  });
});
