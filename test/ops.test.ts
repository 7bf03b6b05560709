// Operations: structured logs with redaction, /healthz, /readyz, /metrics (prom-client's default registry), the
// Discord HTTP-only mode, DATABASE_URL selecting PostgreSQL, and SIGTERM draining requests in flight.
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { Counter, register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { discordPoster } from '../src/digest/posters.ts';
import { createScheduler } from '../src/digest/scheduler.ts';
import { openStore } from '../src/digest/store.ts';
import { start, type Running } from '../src/main.ts';
import { healthRoutes } from '../src/ops/health.ts';
import { createLogger, scrub } from '../src/ops/logger.ts';
import { command, newSigner, postInteraction, signature } from './helpers/discord-fake.ts';
import { startFakeDiscordRest, testBuild, until, type FakeDiscordRest } from './helpers/digest-fakes.ts';
import { createDatabase } from './helpers/pg-server.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(c, _e, done) { for (const l of String(c).split('\n')) if (l) lines.push(l); done(); } });
  return { lines, stream };
}

describe('logs', () => {
  it('one JSON line per event with the instance id; tokens, secrets and signatures are redacted by key and by shape', () => {
    const { lines, stream } = capture();
    const log = createLogger({ instanceId: 'test-1', destination: stream, level: 'debug' });
    log.info({ command: 'fit', latencyMs: 1.5, subscription: 4, slot: '2026-03-02T09:00:00.000Z' }, 'command');
    log.info({ token: 'xoxb-1-2-abc', botToken: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123', req: { headers: { authorization: 'Bot abc', 'x-signature-ed25519': 'ff'.repeat(64), 'x-slack-signature': `v0=${'ab'.repeat(32)}` } }, installation: { bot: { token: 'xoxb-deep' } } }, 'request');
    log.warn('chat.postMessage failed for xoxb-1234-5678-secretpart with Bearer abcdefghijklmnopqrstuvwxyz012345');
    log.error({ err: new Error('connect to postgres://memwall:hunter2@db:5432/memwall failed') }, 'database');
    expect(lines).toHaveLength(4);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.every((p) => p.instance === 'test-1' && typeof p.time === 'string')).toBe(true);
    expect(parsed[0]).toMatchObject({ command: 'fit', latencyMs: 1.5, subscription: 4, slot: '2026-03-02T09:00:00.000Z', msg: 'command' });
    expect(parsed[1].token).toBe('[redacted]');
    expect(parsed[1].botToken).toBe('[redacted]');
    expect(parsed[1].req.headers).toEqual({ authorization: '[redacted]', 'x-signature-ed25519': '[redacted]', 'x-slack-signature': '[redacted]' });
    expect(parsed[1].installation.bot.token).toBe('[redacted]');
    const all = lines.join('\n');
    expect(all).not.toMatch(/xoxb-|hunter2|secretpart|abcdefghijklmnopqrstuvwxyz|ffffffff|abababab/);
    expect(scrub('Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123')).toBe('Bot [token]');
  });
});

describe('health checks', () => {
  it('/healthz is 503 when the database does not answer; /readyz is 503 while any check fails (e.g. draining)', async () => {
    let draining = false;
    const routes = healthRoutes({ ping: async () => { throw new Error('connection terminated unexpectedly'); }, ready: () => ({ database: true, notDraining: !draining }) });
    const call = async (path: string) => {
      let status = 0, body = '';
      const res = { writeHead(s: number) { status = s; return this; }, end(b: string) { body = b; } } as never;
      expect(await routes({ method: 'GET' } as never, res, path)).toBe(true);
      return { status, body: JSON.parse(body) };
    };
    expect(await call('/healthz')).toEqual({ status: 503, body: { status: 'unhealthy', database: 'connection terminated unexpectedly' } });
    expect((await call('/readyz')).status).toBe(200);
    draining = true;
    expect(await call('/readyz')).toEqual({ status: 503, body: { status: 'not ready', checks: { database: true, notDraining: false } } });
  });
});

describe('an HTTP-only Discord instance on PostgreSQL', () => {
  let running: Running;
  let base: string;
  let fake: FakeDiscordRest;
  const signer = newSigner();
  const lines: string[] = [];

  beforeAll(async () => {
    fake = await startFakeDiscordRest();
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', DATABASE_URL: await createDatabase(inject('pgUrl')), DISCORD_MODE: 'http', DISCORD_TOKEN: 'bot-token-for-rest-0123456789',
      DISCORD_PUBLIC_KEY: signer.publicKeyHex, DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_API_BASE: fake.apiBase, MEMWALL_INSTANCE_ID: 'ops-test',
    });
    expect(config.discord.gateway).toBeNull();
    expect(config.discord.rest).toEqual({ token: 'bot-token-for-rest-0123456789' });
    running = await start(config, (l) => lines.push(l));
    base = `http://127.0.0.1:${running.port}`;
  }, 30_000);
  afterAll(async () => { await running?.stop(); await fake?.close(); });

  it('serves /healthz and /readyz; no gateway login happened', async () => {
    const h = await fetch(`${base}/healthz`);
    expect([h.status, await h.json()]).toEqual([200, { status: 'ok', database: 'ok' }]);
    const r = await fetch(`${base}/readyz`);
    expect([r.status, await r.json()]).toEqual([200, { status: 'ready', checks: { database: true, notDraining: true } }]);
    expect(fake.requests.some((x) => x.path.endsWith('/gateway/bot'))).toBe(false);
    expect(lines.join('\n')).toMatch(/PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1/);
    expect(lines.join('\n')).toMatch(/Discord digests over REST \(no gateway\)/);
  });

  it('/metrics: commands by name and outcome, latency histogram, HTTP latency, and counters other modules register', async () => {
    const other = (register.getSingleMetric('memwall_test_rejected_total') as Counter | undefined) ?? new Counter({ name: 'memwall_test_rejected_total', help: 'a counter another module defines' });
    other.inc(3);
    const fit = await postInteraction(`${base}/discord/interactions`, signer, command('fit', [{ name: 'model', type: 3, value: 'llama-70b' }, { name: 'chip', type: 3, value: 'cerebras' }]));
    expect(JSON.stringify(fit.json)).toMatch(/4 wafers/);
    await postInteraction(`${base}/discord/interactions`, signer, command('fit', [{ name: 'model', type: 3, value: 'llama-70b' }, { name: 'chip', type: 3, value: 'no-such-chip' }]));
    const m = await fetch(`${base}/metrics`);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await m.text();
    expect(text).toMatch(/^memwall_commands_total\{command="fit",outcome="answer"\} [1-9]/m);
    expect(text).toMatch(/^memwall_commands_total\{command="fit",outcome="error"\} [1-9]/m);
    expect(text).toMatch(/^memwall_command_duration_seconds_count\{command="fit"\} [2-9]/m);
    expect(text).toMatch(/^memwall_http_request_duration_seconds_count\{route="POST \/discord\/interactions",status="200"\} [2-9]/m);
    expect(text).toMatch(/^# TYPE memwall_digests_total counter/m);
    expect(text).toMatch(/^# TYPE memwall_database_errors_total counter/m);
    expect(text).toMatch(/^memwall_test_rejected_total 3/m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    // and the command was logged as one JSON line with its latency
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'command' && l.command === 'fit');
    expect(logged).toMatchObject({ instance: 'ops-test', outcome: 'answer', latencyMs: expect.any(Number) });
  });
});

describe('SIGTERM drain', () => {
  it('a request in flight is answered before the server closes; new connections are refused', async () => {
    const signer = newSigner();
    const running = await start(loadConfig({ PORT: '0', HOST: '127.0.0.1', MEMWALL_DB: ':memory:', DISCORD_PUBLIC_KEY: signer.publicKeyHex, DISCORD_APPLICATION_ID: '123456789012345678' }), () => undefined);
    // a signed /fit whose body arrives in two halves: the server is mid-request when stop() is called
    const body = JSON.stringify(command('fit', [{ name: 'model', type: 3, value: 'llama-70b' }, { name: 'chip', type: 3, value: 'cerebras' }]));
    const ts = String(Math.floor(Date.now() / 1000));
    const answer = new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: running.port, path: '/discord/interactions', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-signature-ed25519': signature(signer, ts, body), 'x-signature-timestamp': ts } }, (res) => {
        let b = '';
        res.on('data', (d) => { b += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => req.end(body.slice(20)), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    let stopped = false;
    const stopping = running.stop().then(() => { stopped = true; });
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    await expect(fetch(`http://127.0.0.1:${running.port}/healthz`)).rejects.toThrow(); // no new connections
    const r = await answer;
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/4 wafers/);
    expect(r.connection).toBe('close');
    await stopping;
  });

  it('the scheduler finishes the post in progress and hands back the slots it had not started', async () => {
    const discord = await startFakeDiscordRest();
    const store = await openStore(':memory:', { now: () => new Date('2026-03-02T08:00:00Z') });
    for (const c of ['drain-1', 'drain-2', 'drain-3']) await store.subscribe({ platform: 'discord', workspaceId: 'G', channelId: c, cron: '0 9 * * *', scheduleLabel: 'daily', timezone: 'UTC', model: 'llama-3.1-70b' });
    discord.slowCreate.set('drain-1', 400);
    const at = new Date('2026-03-02T09:00:01Z');
    const scheduler = createScheduler({ store, posters: { discord: discordPoster({ token: 't', apiBase: discord.apiBase }) }, build: testBuild().build, now: () => at, log: () => undefined, paceMs: 0 });
    const ticking = scheduler.tick();
    await until(() => discord.posts('drain-1').length === 1, 'the first post to be in flight');
    await scheduler.stop();
    const r = await ticking;
    expect(r.posted.map((p) => p.channelId)).toEqual(['drain-1']);
    expect(discord.posts('drain-2')).toHaveLength(0);
    const subs = await store.list();
    expect(subs.map((s) => [s.channelId, s.postCount, s.nextRunAt])).toEqual([
      ['drain-1', 1, '2026-03-03T09:00:00.000Z'],
      ['drain-2', 0, '2026-03-02T09:00:01.000Z'], // due again at once, for whichever instance is still running
      ['drain-3', 0, '2026-03-02T09:00:01.000Z'],
    ]);
    for (const s of subs.slice(1)) expect(await store.posts(s.id)).toEqual([]);
    await store.close();
    await discord.close();
  });
});
