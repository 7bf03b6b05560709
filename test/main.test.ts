import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { start } from '../src/main.ts';
import { command, newSigner, postInteraction, interaction } from './helpers/discord-fake.ts';
import { postSigned, slashBody, startFakeSlack } from './helpers/slack-fake.ts';

describe('configuration', () => {
  it('with nothing set: the playground on loopback, port 3000', () => {
    const c = loadConfig({});
    expect(c.playground).toBe(true);
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3000);
    expect(c.dbPath).toBe('var/memwall.db');
  });

  it('platform credentials switch the playground off', () => {
    const c = loadConfig({ DISCORD_PUBLIC_KEY: 'a'.repeat(64), DISCORD_APPLICATION_ID: '123456789012345678' });
    expect(c.playground).toBe(false);
    expect(c.discord.http).toEqual({ publicKey: 'a'.repeat(64), applicationId: '123456789012345678' });
  });

  it('a malformed or missing setting is one clear line naming it, and secrets are never echoed', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(new ConfigError('PORT must be a port number (0–65535) (got "eighty")'));
    expect(() => loadConfig({ DISCORD_PUBLIC_KEY: 'a'.repeat(64) })).toThrow(/DISCORD_APPLICATION_ID is required/);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user-token-oops' })).toThrow(/SLACK_BOT_TOKEN must be a bot token starting with xoxb-$/);
    try { loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user-token-oops' }); } catch (e) { expect((e as Error).message).not.toMatch(/oops/); }
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/needs SLACK_SIGNING_SECRET .* or SLACK_APP_TOKEN/);
    expect(() => loadConfig({ SLACK_SUBSCRIBERS: 'everyone' })).toThrow(/SLACK_SUBSCRIBERS must be "anyone" or "admins"/);
  });
});

describe('npm start', () => {
  it('starts the playground on 127.0.0.1, answers, and shuts down cleanly on SIGTERM (real process)', async () => {
    const port = 41000 + Math.floor(Math.random() * 2000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, PORT: String(port), MEMWALL_DB: ':memory:' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const deadline = Date.now() + 30_000;
    while (!out.includes('playground at') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(new RegExp(`playground at http://127\\.0\\.0\\.1:${port}/`));
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/memwall/);
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toMatch(/SIGTERM received, shutting down/);
  }, 40_000);

  it('a broken configuration stops start-up with one line and exit 1 (real process)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, PORT: '99999' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/configuration problem: PORT must be a port number/);
  }, 40_000);

  it('a corrupt database stops start-up with a clear line, and the file is left as it was (real process)', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const db = join(mkdtempSync(join(tmpdir(), 'memwall-db-')), 'memwall.db');
    const junk = Buffer.from('this is not a database, it is a shopping list: eggs, flour, more HBM'.repeat(40));
    writeFileSync(db, junk);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, PORT: '0', MEMWALL_DB: db }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(err).toMatch(/not a SQLite database/);
    expect(err).toContain(db);
    expect(readFileSync(db).equals(junk)).toBe(true);
  }, 40_000);

  it('one server on PORT carries both Discord and Slack HTTP endpoints (real HTTP on loopback)', async () => {
    const slack = await startFakeSlack();
    const signer = newSigner();
    const lines: string[] = [];
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', DISCORD_PUBLIC_KEY: signer.publicKeyHex, DISCORD_APPLICATION_ID: '123456789012345678',
      SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl,
    });
    const running = await start(config, (l) => lines.push(l));
    try {
      const base = `http://127.0.0.1:${running.port}`;
      const pong = await postInteraction(`${base}/discord/interactions`, signer, interaction(1, undefined));
      expect(pong.json).toEqual({ type: 1 });
      const fit = await postInteraction(`${base}/discord/interactions`, signer, command('fit', [{ name: 'model', type: 3, value: 'llama-70b' }, { name: 'chip', type: 3, value: 'cerebras' }]));
      expect(JSON.stringify(fit.json)).toMatch(/4 wafers/);
      const unsigned = await postInteraction(`${base}/discord/interactions`, null, interaction(1, undefined));
      expect(unsigned.status).toBe(401);
      const responseUrl = slack.responseUrl();
      const ok = await postSigned(`${base}/slack/events`, 'test-signing-secret', slashBody('/fit', 'llama-70b cerebras', responseUrl));
      expect(ok.status).toBe(200);
      const answered = await slack.waitFor(() => slack.responses(responseUrl)[0], 'the /fit answer');
      expect(JSON.stringify(answered.json)).toMatch(/4 wafers/);
      const forged = await postSigned(`${base}/slack/events`, 'wrong-secret', slashBody('/fit', 'llama-70b cerebras', responseUrl));
      expect(forged.status).toBe(401);
      expect((await fetch(`${base}/`)).status).toBe(404); // no playground when platforms are configured
      expect(lines.join('\n')).not.toMatch(/test-signing-secret|xoxb-test/);
    } finally {
      await running.stop();
      await slack.close();
    }
  }, 40_000);
});
