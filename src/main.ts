// `npm start`: reads the configuration, starts what it names (Discord, Slack) or, with no credentials, the playground.
import 'dotenv/config';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Context } from '../commands/command.ts';
import { catalog, CatalogError } from './catalog/load.ts';
import { ConfigError, describe, loadConfig, type Config } from './config.ts';
import type { Platform } from './digest/types.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Running { port: number; stop(): Promise<void> }

export async function start(config: Config, log: (line: string) => void = console.log): Promise<Running> {
  const cat = catalog(); // validate data/ before anything listens
  // subscriptions: a corrupt or unwritable database stops start-up with the reason (StoreError), never replaced
  const { openStore } = await import('./digest/store.ts');
  const { DigestService } = await import('./digest/service.ts');
  const store = openStore(config.dbPath);
  const postable = new Set<Platform>([
    ...(config.playground ? ['local' as const] : []), ...(config.discord.gateway ? ['discord' as const] : []), ...(config.slack ? ['slack' as const] : []),
  ]);
  const digest = new DigestService(store, cat, () => new Date(), postable);
  const context = (): Context => ({ catalog: cat, digest });
  const routes = new Map<string, Handler>();
  const stops: (() => Promise<void>)[] = [];
  let playgroundHandle: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | null = null;
  let playground: { post(channelId: string, reply: import('./reply/reply.ts').Reply): Promise<void> } | null = null;

  if (config.discord.http) {
    const { createDiscordInteractionsHandler } = await import('./platforms/discord/interactions.ts');
    routes.set('POST /discord/interactions', createDiscordInteractionsHandler({ ...config.discord.http, apiBase: config.discord.apiBase, context }));
  }
  if (config.discord.gateway) {
    const { startDiscordGateway } = await import('./platforms/discord/gateway.ts');
    const gw = await startDiscordGateway({ token: config.discord.gateway.token, apiBase: config.discord.apiBase, context });
    stops.push(gw.stop);
  }
  if (config.slack) {
    const { createSlackApp } = await import('./platforms/slack/app.ts');
    const slackCfg = config.slack;
    const allowSubscribe = slackCfg.subscribers === 'admins' ? slackAdminsOnly(slackCfg.botToken, slackCfg.apiUrl, log) : undefined;
    const app = await createSlackApp({ signingSecret: slackCfg.signingSecret ?? '', botToken: slackCfg.botToken, appToken: slackCfg.appToken, apiUrl: slackCfg.apiUrl, context, allowSubscribe });
    if (app.requestListener) routes.set('POST /slack/events', app.requestListener);
    await app.start();
    stops.push(app.stop);
  }
  if (config.playground) {
    const { createPlayground } = await import('./platforms/local/playground.ts');
    const pg = createPlayground({ context: (channelId: string) => ({ catalog: cat, digest, channel: { platform: 'local', id: channelId, canManage: true } }) });
    playgroundHandle = pg.handle;
    playground = pg;
  }

  const { createScheduler } = await import('./digest/scheduler.ts');
  const { discordPoster, localPoster, slackPoster } = await import('./digest/posters.ts');
  const scheduler = createScheduler({
    store,
    posters: {
      ...(playground ? { local: localPoster(playground) } : {}),
      ...(config.discord.gateway ? { discord: discordPoster({ token: config.discord.gateway.token, apiBase: config.discord.apiBase }) } : {}),
      ...(config.slack ? { slack: slackPoster({ token: config.slack.botToken, apiUrl: config.slack.apiUrl ?? 'https://slack.com/api/' }) } : {}),
    },
    build: (sub, now) => digest.build(sub, now),
    log: (line) => log(`digest: ${line}`),
  });

  const server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      const route = routes.get(`${req.method} ${path}`);
      if (route) return void (await route(req, res));
      if (playgroundHandle && (await playgroundHandle(req, res))) return;
      if (path === '/healthz') { res.writeHead(200, { 'content-type': 'text/plain' }); return void res.end('ok\n'); }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not found\n');
    } catch (e) {
      log(`request failed: ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error\n');
    }
  });
  const needsServer = routes.size > 0 || config.playground;
  let port = config.port;
  if (needsServer) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const addr = server.address();
    port = typeof addr === 'object' && addr ? addr.port : config.port;
  }
  scheduler.start();
  for (const line of describe(config)) log(`memwall: ${line}`);
  log(`memwall: digests from ${config.dbPath} (${store.list().length} subscriptions)`);
  if (config.playground) log(`memwall: playground at http://127.0.0.1:${port}/ — type /fit llama-70b cerebras`);
  else if (needsServer) log(`memwall: listening on ${config.host}:${port}`);

  return {
    port,
    async stop() {
      await scheduler.stop();
      for (const s of stops.reverse()) await s().catch((e) => log(`stop failed: ${(e as Error).message}`));
      if (needsServer) await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections?.(); });
      store.close();
    },
  };
}

/** SLACK_SUBSCRIBERS=admins: only workspace admins and owners may subscribe a channel (users.info). */
function slackAdminsOnly(token: string, apiUrl: string | undefined, log: (line: string) => void) {
  return async (who: { userId: string }): Promise<boolean> => {
    const { WebClient } = await import('@slack/web-api');
    try {
      const r = await new WebClient(token, apiUrl ? { slackApiUrl: apiUrl } : {}).users.info({ user: who.userId });
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
