// `npm start`: reads the configuration, starts what it names (Discord, Slack) or, with no credentials, the playground.
// Any number of instances can run against one PostgreSQL (DATABASE_URL); each serves /healthz, /readyz and /metrics,
// logs JSON lines through pino, and on SIGTERM drains: stops taking requests, lets those in flight finish, finishes
// the digest post in progress and hands the other claimed slots back before it exits.
import 'dotenv/config';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { Context } from '../commands/command.ts';
import { catalog, CatalogError } from './catalog/load.ts';
import { ConfigError, describe, loadConfig, type Config } from './config.ts';
import type { Store } from './digest/store.ts';
import type { Platform } from './digest/types.ts';
import { onCommand } from './ops/commands.ts';
import { healthRoutes } from './ops/health.ts';
import { createLogger, defaultInstanceId, type Logger } from './ops/logger.ts';
import { collectProcessMetrics, databaseErrorsTotal, digestsTotal, httpRequestSeconds } from './ops/metrics.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Running { port: number; instanceId: string; stop(): Promise<void> }

export interface StartOptions {
  /** structured logger (default: pino to `log` when given, else to stdout) */
  logger?: Logger;
  /** how long SIGTERM waits for requests in flight (default 10 s) */
  drainMs?: number;
}

/** pino lines into a plain function (tests, embedding) */
function lineStream(log: (line: string) => void): Writable {
  return new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) log(l); done(); } });
}

/** Count every failed store call in memwall_database_errors_total. */
function counted(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'close') return v;
      return (...args: unknown[]) => {
        const r = v.apply(target, args);
        return r instanceof Promise ? r.catch((e: unknown) => { databaseErrorsTotal.inc(); throw e; }) : r;
      };
    },
  });
}

export async function start(config: Config, log?: (line: string) => void, opts: StartOptions = {}): Promise<Running> {
  const instanceId = config.instanceId ?? defaultInstanceId();
  const logger = opts.logger ?? createLogger({ instanceId, level: config.logLevel, ...(log ? { destination: lineStream(log), pretty: false } : {}) });
  collectProcessMetrics();
  // first: @discordjs/rest fails to load ("string "Set()" is not iterable", in node-inspect-extracted) once vega-lite
  // (charts) has been imported, so the posters are loaded before any platform module pulls the charts in
  const { discordPoster, localPoster, slackPoster } = await import('./digest/posters.ts');
  const cat = catalog(); // validate data/ before anything listens
  // subscriptions: a corrupt, unreachable, read-only or unwritable database stops start-up with the reason (StoreError)
  const { openStore } = await import('./digest/store.ts');
  const { DigestService } = await import('./digest/service.ts');
  const store = counted(await openStore(config.dbPath, { onError: (e) => { databaseErrorsTotal.inc(); logger.warn({ err: (e as Error).message }, 'database connection error'); } }));
  const stops: (() => Promise<void>)[] = [];
  const ready: Record<string, () => boolean> = { database: () => true };
  try {
    return await startOn(store);
  } catch (e) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }

  async function startOn(store: Store): Promise<Running> {
    const postable = new Set<Platform>([
      ...(config.playground ? ['local' as const] : []), ...(config.discord.rest ? ['discord' as const] : []), ...(config.slack ? ['slack' as const] : []),
    ]);
    const digest = new DigestService(store, cat, () => new Date(), postable);
    const context = (): Context => ({ catalog: cat, digest });
    const routes = new Map<string, Handler>();
    let playgroundHandle: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | null = null;
    let playground: { post(channelId: string, reply: import('./reply/reply.ts').Reply): Promise<void> } | null = null;
    const errorLog = (component: string) => (line: string) => logger.error({ component }, line);
    onCommand((e) => logger.info({ command: e.command, outcome: e.outcome, latencyMs: Math.round(e.ms * 100) / 100, platform: e.platform }, 'command'));
    stops.push(async () => onCommand(null));

    if (config.discord.http) {
      const { createDiscordInteractionsHandler } = await import('./platforms/discord/interactions.ts');
      // several instances share PostgreSQL: a replayed interaction id is refused by whichever instance sees it second
      const shared = /^postgres(ql)?:\/\//i.test(config.dbPath);
      const replayGuard = shared ? (await import('./platforms/discord/replay-guard.ts')).sharedReplayGuard(store) : undefined;
      routes.set('POST /discord/interactions', createDiscordInteractionsHandler({ ...config.discord.http, apiBase: config.discord.apiBase, context, log: errorLog('discord'), replayGuard }));
    }
    if (config.discord.gateway) {
      const { startDiscordGateway } = await import('./platforms/discord/gateway.ts');
      const gw = await startDiscordGateway({ token: config.discord.gateway.token, apiBase: config.discord.apiBase, context, log: errorLog('discord') });
      stops.push(gw.stop);
      ready.discordGateway = gw.ready;
    }
    let slackToken: string | ((workspaceId: string | null) => Promise<string | null>) | null = null;
    if (config.slack) {
      const { createSlackApp } = await import('./platforms/slack/app.ts');
      const slackCfg = config.slack;
      let oauth;
      if (slackCfg.oauth) {
        const { checkEncryptionKey, storeInstallations } = await import('./platforms/slack/installations.ts');
        const { SLACK_BOT_SCOPES } = await import('./platforms/slack/manifest.ts');
        await checkEncryptionKey(store, slackCfg.oauth.encryptionKey);
        const installations = storeInstallations(store, slackCfg.oauth.encryptionKey);
        slackToken = (ws) => installations.botToken(ws);
        oauth = { clientId: slackCfg.oauth.clientId, clientSecret: slackCfg.oauth.clientSecret, stateSecret: slackCfg.oauth.stateSecret, scopes: SLACK_BOT_SCOPES, installationStore: installations };
      } else {
        slackToken = slackCfg.botToken ?? null;
      }
      const tokenFor = slackToken;
      const allowSubscribe = slackCfg.subscribers === 'admins' && tokenFor ? slackAdminsOnly(tokenFor, slackCfg.apiUrl, (l) => logger.warn({ component: 'slack' }, l)) : undefined;
      const app = await createSlackApp({
        signingSecret: slackCfg.signingSecret ?? '', botToken: slackCfg.botToken, appToken: slackCfg.appToken, apiUrl: slackCfg.apiUrl, context, allowSubscribe,
        ...(oauth ? { oauth } : {}), logger: boltLogger(logger),
      });
      if (app.requestListener) {
        routes.set('POST /slack/events', app.requestListener);
        if (oauth) { routes.set('GET /slack/install', app.requestListener); routes.set('GET /slack/oauth_redirect', app.requestListener); }
      }
      await app.start();
      stops.push(app.stop);
      ready.slack = () => true;
    }
    if (config.playground) {
      const { createPlayground } = await import('./platforms/local/playground.ts');
      const pg = createPlayground({ context: (channelId: string) => ({ catalog: cat, digest, channel: { platform: 'local', id: channelId, canManage: true } }) });
      playgroundHandle = pg.handle;
      playground = pg;
    }

    const { createScheduler } = await import('./digest/scheduler.ts');
    const scheduler = createScheduler({
      store,
      instanceId,
      posters: {
        ...(playground ? { local: localPoster(playground) } : {}),
        ...(config.discord.rest ? { discord: discordPoster({ token: config.discord.rest.token, apiBase: config.discord.apiBase }) } : {}),
        ...(config.slack && slackToken ? { slack: slackPoster({ token: slackToken, apiUrl: config.slack.apiUrl ?? 'https://slack.com/api/', log: (l) => logger.warn({ component: 'digest' }, l) }) } : {}),
      },
      build: (sub, now) => digest.build(sub, now),
      log: (line, fields) => logger.info({ component: 'digest', ...fields }, line),
      onOutcome: (outcome, platform) => digestsTotal.inc({ platform, outcome }),
    });

    let draining = false;
    let inFlight = 0;
    /** responses not yet sent: told to close their connection once draining starts */
    const open = new Set<ServerResponse>();
    let idle: (() => void) | null = null;
    const health = healthRoutes({ ping: () => store.ping(), ready: () => ({ ...Object.fromEntries(Object.entries(ready).map(([k, f]) => [k, f()])), notDraining: !draining }) });
    const server = createServer(async (req, res) => {
      const t0 = performance.now();
      inFlight++;
      open.add(res);
      let route = 'other';
      res.once('close', () => {
        open.delete(res);
        httpRequestSeconds.observe({ route, status: String(res.statusCode) }, (performance.now() - t0) / 1000);
        if (--inFlight === 0) idle?.();
      });
      if (draining) res.setHeader('connection', 'close');
      try {
        const path = (req.url ?? '/').split('?')[0];
        const key = `${req.method} ${path}`;
        const handler = routes.get(key);
        if (handler) { route = key; return void (await handler(req, res)); }
        if (await health(req, res, path)) { route = path; return; }
        if (playgroundHandle && (await playgroundHandle(req, res))) { route = 'playground'; return; }
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not found\n');
      } catch (e) {
        logger.error({ err: (e as Error).message, route }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal error\n');
      }
    });
    // behind a load balancer: keep idle connections a little longer than a typical proxy's 60 s
    server.keepAliveTimeout = 65_000;
    let port = config.port;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const addr = server.address();
    port = typeof addr === 'object' && addr ? addr.port : config.port;
    scheduler.start();
    for (const line of describe(config)) logger.info(`memwall: ${line}`);
    logger.info({ subscriptions: (await store.list()).length }, `memwall: instance ${instanceId}; digests from ${store.path}`);
    if (config.playground) logger.info(`memwall: playground at http://127.0.0.1:${port}/ — type /fit llama-70b cerebras`);
    else logger.info(`memwall: listening on ${config.host}:${port} (health: /healthz, /readyz; metrics: /metrics)`);

    let stopped: Promise<void> | null = null;
    return {
      port,
      instanceId,
      stop() {
        stopped ??= (async () => {
          draining = true; // /readyz answers 503 from now on; responses say connection: close
          for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections?.();
          const drained = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => { idle = resolve; });
          let timer: NodeJS.Timeout | undefined;
          const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, opts.drainMs ?? 10_000); timer.unref?.(); });
          // the post in progress finishes; claimed slots not yet posted are handed back for another instance
          await Promise.all([scheduler.stop(), Promise.race([drained, grace])]);
          clearTimeout(timer);
          if (inFlight > 0) logger.warn({ inFlight }, 'drain grace ran out; closing the remaining connections');
          for (const s of stops.splice(0).reverse()) await s().catch((e) => logger.warn({ err: (e as Error).message }, 'stop failed'));
          server.closeAllConnections?.();
          await closed;
          await store.close();
          logger.info('memwall: stopped');
          logger.flush?.();
        })();
        return stopped;
      },
    };
  }
}

/** Bolt's Logger interface over pino (Bolt's own lines, at warn and above unless LOG_LEVEL says otherwise). */
function boltLogger(logger: Logger): import('@slack/bolt').Logger {
  const child = logger.child({ component: 'slack' });
  const text = (a: unknown[]) => a.map((x) => (x instanceof Error ? `${x.name}: ${x.message}` : typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
  let level = 'warn';
  return {
    debug: (...a) => child.debug(text(a)),
    info: (...a) => child.info(text(a)),
    warn: (...a) => child.warn(text(a)),
    error: (...a) => child.error(text(a)),
    setLevel: (l) => { level = l; },
    getLevel: () => level as never,
    setName: () => undefined,
  };
}

/** SLACK_SUBSCRIBERS=admins: only workspace admins and owners may subscribe a channel (users.info, that workspace's token). */
function slackAdminsOnly(token: string | ((teamId: string | null) => Promise<string | null>), apiUrl: string | undefined, log: (line: string) => void) {
  return async (who: { userId: string; teamId: string }): Promise<boolean> => {
    const { WebClient } = await import('@slack/web-api');
    try {
      const t = typeof token === 'string' ? token : await token(who.teamId);
      if (!t) return false;
      const r = await new WebClient(t, apiUrl ? { slackApiUrl: apiUrl } : {}).users.info({ user: who.userId });
      return !!(r.user?.is_admin || r.user?.is_owner);
    } catch (e) {
      log(`slack: users.info failed (${(e as Error).message}); treating the caller as not an admin`);
      return false;
    }
  };
}

export async function main() {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) { console.error(`memwall: configuration problem: ${e.message}. See .env.example.`); process.exit(1); }
    throw e;
  }
  let running: Running;
  try {
    running = await start(config);
  } catch (e) {
    if (e instanceof CatalogError) console.error(`memwall: the catalog in data/ is broken: ${e.message}`);
    else if ((e as Error).name === 'StoreError') console.error(`memwall: ${(e as Error).message}`);
    else if ((e as Error).name === 'EncryptionKeyError') console.error(`memwall: ${(e as Error).message}`);
    else if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error(`memwall: port ${config.port} is in use; set PORT to another port.`);
    else console.error(`memwall: could not start: ${(e as Error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`memwall: ${signal} received, shutting down`);
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
