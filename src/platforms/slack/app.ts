// Slack via Bolt: one slash command per memwall command, the compare buttons, charts as file uploads.
// HTTP mode: the caller owns the node:http server and routes POST /slack/events to `requestListener`
// (request-guard.ts checks size, signature and a ±5-minute window first; then Bolt's HTTPReceiver verifies again).
// Socket Mode when `appToken` is set.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, type AllMiddlewareArgs, type InstallationStore, type Logger, type SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Command, Context } from '../../../commands/command.ts';
import { COMMANDS } from '../../../commands/index.ts';
import { renderChart } from '../../charts/render.ts';
import { errorReply, type Reply } from '../../reply/reply.ts';
import { toSlack, type SlackMessage } from '../../reply/slack.ts';
import { plain } from '../../reply/text.ts';
import { pressButton, runCommand } from '../dispatch.ts';
import { rewriteReply } from '../args.ts';
import { NAMESPACE, parseCommandText, routeNamespaced } from './parse.ts';
import { slackRequestGuard, type SlackRequestGuardOptions } from './request-guard.ts';
import { answerUnknownCommands } from './unknown-command.ts';

/** Who asked, where: what a subscription check needs. */
export interface SlackAsker { teamId: string; channelId: string; userId: string; command: string }

/** Multi-workspace install through Bolt's OAuth flow: GET /slack/install and GET /slack/oauth_redirect. */
export interface SlackOAuthOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  scopes: readonly string[];
  /** where installations (with their bot tokens) are kept; each request is answered with its workspace's token */
  installationStore: InstallationStore;
}

export interface SlackAppOptions {
  signingSecret: string;
  /** single-workspace setup; not used when `oauth` is set */
  botToken?: string;
  /** multi-workspace setup (HTTP mode only) */
  oauth?: SlackOAuthOptions;
  /** an app-level xapp- token: Socket Mode instead of HTTP */
  appToken?: string;
  /** Web API base, e.g. http://127.0.0.1:PORT/api/ in tests (default https://slack.com/api/) */
  apiUrl?: string;
  /** the base context for each command: catalog, clock; the Slack channel is added here */
  context: () => Context;
  /**
   * Hook for channel-managing commands (digest subscriptions): may this person manage subscriptions in this channel?
   * The answer becomes Context.channel.canManage. Not set: canManage stays undefined and the command decides.
   */
  allowSubscribe?: (who: SlackAsker) => boolean | Promise<boolean>;
  /** where log lines go (default: console, warnings and errors only) */
  logger?: Logger;
  /** HTTP mode: the pre-Bolt check's clock, body limit and how often it summarises refusals (request-guard.ts) */
  requestGuard?: Pick<SlackRequestGuardOptions, 'now' | 'bodyLimit' | 'summaryIntervalMs' | 'paths'>;
}

export interface SlackApp {
  /** HTTP mode only: hand it POST /slack/events (and, with OAuth, GET /slack/install and /slack/oauth_redirect) */
  requestListener?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  start(): Promise<void>;
  /** stops accepting requests and waits (up to 10 s) for answers still being sent */
  stop(): Promise<void>;
}

/** response_url accepts at most 5 messages */
const MAX_RESPONSES = 5;

type RespondFn = (message: Record<string, unknown>) => Promise<unknown>;
type Client = App['client'];

/** One line about an error: its name, Slack error code and first message line. Never a stack, never a token. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e).split('\n')[0].slice(0, 300);
  const data = (e as { data?: { error?: unknown } }).data;
  const code = (e as { code?: unknown }).code;
  const parts = [e.name, typeof code === 'string' ? code : '', typeof data?.error === 'string' ? data.error : '', e.message.split('\n')[0]];
  return parts.filter(Boolean).join(': ').replace(/xox[a-z]-[\w-]+|xapp-[\w-]+/gi, '[token]').slice(0, 300);
}

/** A Bolt logger that prints one line per message, errors without stacks, at warn level unless told otherwise. */
export function quietLogger(level: LogLevel = LogLevel.WARN): Logger {
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  let current = level;
  let name = 'slack';
  const line = (args: unknown[]) => args.map((a) => (a instanceof Error ? describeError(a) : typeof a === 'string' ? a : (() => { try { return JSON.stringify(a); } catch { return String(a); } })()))
    .join(' ').replace(/xox[a-z]-[\w-]+|xapp-[\w-]+/gi, '[token]');
  const at = (l: LogLevel) => order.indexOf(l) >= order.indexOf(current);
  return {
    debug: (...a) => { if (at(LogLevel.DEBUG)) console.debug(`[${name}] ${line(a)}`); },
    info: (...a) => { if (at(LogLevel.INFO)) console.info(`[${name}] ${line(a)}`); },
    warn: (...a) => { if (at(LogLevel.WARN)) console.warn(`[${name}] ${line(a)}`); },
    error: (...a) => { if (at(LogLevel.ERROR)) console.error(`[${name}] ${line(a)}`); },
    setLevel: (l) => { current = l; },
    getLevel: () => current,
    setName: (n) => { name = n; },
  };
}

const responseType = (r: Reply) => (r.private || r.kind === 'error' ? 'ephemeral' : 'in_channel');

/** The first MAX_RESPONSES messages; when there are more, the last one says so. */
export function capped(messages: SlackMessage[]): SlackMessage[] {
  if (messages.length <= MAX_RESPONSES) return messages;
  const kept = messages.slice(0, MAX_RESPONSES);
  const last = kept[MAX_RESPONSES - 1];
  const blocks = last.blocks.length >= 50 ? last.blocks.slice(0, 49) : [...last.blocks];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `_The answer is longer than Slack allows; ${messages.length - MAX_RESPONSES} more parts were left out._` }] });
  kept[MAX_RESPONSES - 1] = { ...last, blocks };
  return kept;
}

export async function createSlackApp(opts: SlackAppOptions): Promise<SlackApp> {
  const logger = opts.logger ?? quietLogger();
  const clientOptions = {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/` } : {}),
    // a chart upload is worth a couple of quick retries, not the default ten over half an hour
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000 },
    timeout: 15_000,
  };
  const pending = new Set<Promise<unknown>>();
  const track = async (work: Promise<unknown>) => {
    pending.add(work);
    try { await work; } finally { pending.delete(work); }
  };

  const baseContext = (): Context => {
    try { return opts.context(); } catch (e) { throw new Error(`the context factory failed: ${describeError(e)}`); }
  };

  /** Send every message of a reply through response_url; never throws. */
  async function send(respond: RespondFn, reply: Reply, extra: Record<string, unknown> = {}): Promise<boolean> {
    try {
      for (const m of capped(toSlack(reply))) await respond({ response_type: responseType(reply), text: m.text, blocks: m.blocks, ...extra });
      return true;
    } catch (e) {
      logger.warn(`could not answer through response_url: ${describeError(e)}`);
      return false;
    }
  }

  /** Render and upload a reply's chart to the channel; on failure tell the asker (privately) and carry on. */
  async function postChart(client: Client, respond: RespondFn, channelId: string, reply: Reply, png: Promise<Buffer | null>): Promise<void> {
    const image = await png;
    if (!image) return; // the table already carries the numbers
    try {
      await client.filesUploadV2({
        channel_id: channelId,
        file: image,
        filename: 'chart.png',
        title: plain(reply.title).slice(0, 250),
        alt_text: (reply.chart?.alt || plain(reply.title)).slice(0, 1000),
      });
    } catch (e) {
      const code = (e as { data?: { error?: string } }).data?.error;
      logger.warn(`chart upload failed in ${channelId}: ${describeError(e)}`);
      const why = code === 'not_in_channel' || code === 'channel_not_found'
        ? 'I am not a member of this channel — invite me (`/invite @memwall`) to get charts here.'
        : `Slack refused the upload${code ? ` (\`${code}\`)` : ''}.`;
      try {
        await respond({ response_type: 'ephemeral', text: `:frame_with_picture: The chart could not be posted: ${why} The answer above has all the numbers.` });
      } catch (e2) {
        logger.warn(`could not send the chart note: ${describeError(e2)}`);
      }
    }
  }

  function register(app: App): void {
    // `/memwall fit …` is the one command a workspace needs; the bare `/fit …` answer too where the manifest adds them
    const answerSlash = (route: (text: string) => { cmd: Command<any>; text: string } | { error: string; hint?: string }) =>
      async ({ command, ack, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
        await ack(); // first, before any work: Slack's 3-second window
        await track((async () => {
          try {
            const routed = route(command.text ?? '');
            // in `/memwall …`, hints and examples say `/memwall fit …`, not `/fit …`
            const ns = (r: Reply) => (command.command === `/${NAMESPACE}` ? rewriteReply(r, COMMANDS.map((c) => c.name), `/${NAMESPACE} `) : r);
            if ('error' in routed) {
              await send(respond, errorReply(routed.error, routed.hint));
              return;
            }
            const cmd = routed.cmd;
            const parsed = parseCommandText(cmd, routed.text);
            if ('error' in parsed) {
              await send(respond, ns(errorReply(parsed.error, parsed.hint)));
              return;
            }
            const base = baseContext();
            const canManage = opts.allowSubscribe
              ? await opts.allowSubscribe({ teamId: command.team_id, channelId: command.channel_id, userId: command.user_id, command: cmd.name })
              : undefined;
            const ctx: Context = {
              ...base,
              channel: {
                platform: 'slack', id: command.channel_id, guildId: command.team_id, ...(canManage === undefined ? {} : { canManage }),
                botInChannel: async () => {
                  try {
                    const r = await client.conversations.info({ channel: command.channel_id });
                    return r.channel?.is_member ?? null;
                  } catch (e) {
                    logger.warn(`conversations.info failed: ${describeError(e)}`);
                    return null;
                  }
                },
              },
            };
            const reply = ns(await runCommand(cmd.name, parsed.options, ctx));
            const wantsChart = !!reply.chart && responseType(reply) === 'in_channel';
            const png = wantsChart ? renderChart(reply.chart!) : null; // renders while the answer goes out
            const sent = await send(respond, reply);
            if (png && sent) await postChart(client, respond, command.channel_id, reply, png);
            else if (png) await png;
          } catch (e) {
            logger.error(`${command.command} failed: ${describeError(e)}`);
            await send(respond, errorReply('Something went wrong on my side while answering that. It has been logged; please try again.'));
          }
        })());
      };
    app.command(`/${NAMESPACE}`, answerSlash(routeNamespaced));
    for (const cmd of COMMANDS) app.command(`/${cmd.name}`, answerSlash((text) => ({ cmd, text })));

    // compare buttons: "compare:<phase>:<chipA>:<chipB>:<model>" — the whole state is in the id
    app.action(/^compare:/, async ({ ack, body, action, respond }) => {
      await ack();
      await track((async () => {
        try {
          const a = action as { action_id: string; value?: string };
          const id = a.value?.startsWith('compare:') ? a.value : a.action_id;
          const b = body as { channel?: { id?: string }; team?: { id?: string } | null };
          const base = baseContext();
          const ctx: Context = b.channel?.id ? { ...base, channel: { platform: 'slack', id: b.channel.id, guildId: b.team?.id ?? undefined } } : base;
          const reply = await pressButton(id, ctx);
          if (responseType(reply) === 'ephemeral') {
            // keep the public message as it was; tell only the presser
            await send(respond, reply, { replace_original: false });
            return;
          }
          const [first] = toSlack(reply);
          await respond({ replace_original: true, text: first.text, blocks: first.blocks });
        } catch (e) {
          logger.error(`button failed: ${describeError(e)}`);
          await send(respond, errorReply('Something went wrong on my side with that button. Please run the command again.'), { replace_original: false });
        }
      })());
    });

    answerUnknownCommands(app, [NAMESPACE, ...COMMANDS.map((c) => c.name)]);

    app.error(async (e) => { logger.error(`bolt: ${describeError(e)}`); });
  }

  const waitForPending = async () => {
    const all = Promise.allSettled([...pending]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => { timer = setTimeout(r, 10_000); timer.unref?.(); })]);
    clearTimeout(timer);
  };

  if (opts.appToken) {
    // Socket Mode: Bolt opens the websocket itself; nothing to route, no signing secret needed.
    // Deferred so nothing touches the network before start() (and a bad token fails start(), not a stray promise).
    const app = new App({ token: opts.botToken, appToken: opts.appToken, socketMode: true, logger, clientOptions, deferInitialization: true });
    register(app);
    return {
      start: async () => {
        try { await app.init(); } catch (e) { throw new Error(`Slack: the bot token was not accepted (${describeError(e)})`); }
        await app.start();
      },
      stop: async () => { await app.stop(); await waitForPending(); },
    };
  }

  const oauth = opts.oauth;
  const receiver = new HTTPReceiver({
    signingSecret: opts.signingSecret, endpoints: '/slack/events', processBeforeResponse: false, logger,
    ...(oauth ? {
      clientId: oauth.clientId, clientSecret: oauth.clientSecret, stateSecret: oauth.stateSecret, scopes: [...oauth.scopes],
      installationStore: oauth.installationStore,
      installerOptions: { installPath: '/slack/install', redirectUriPath: '/slack/oauth_redirect', directInstall: false, clientOptions },
    } : {}),
  });
  // with OAuth, Bolt authorizes each request from the installation store (that workspace's token); else the one token
  const app = new App({ receiver, ...(oauth ? {} : { token: opts.botToken }), logger, clientOptions, deferInitialization: true });
  register(app);
  try {
    await app.init(); // single token: one auth.test for the bot's ids, cached for every request after
  } catch (e) {
    throw new Error(`Slack: the bot token was not accepted (${describeError(e)})`);
  }

  let stopped = false;
  const guard = slackRequestGuard({ signingSecret: opts.signingSecret, log: (l) => logger.warn(l), ...opts.requestGuard });
  const requestListener = (req: IncomingMessage, res: ServerResponse): Promise<void> | void => {
    if (stopped) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('shutting down');
      return;
    }
    return guard(req, res, () => {
      try {
        receiver.requestListener(req, res); // verifies the signature and timestamp, then hands the event to the app
      } catch (e) {
        // a path or method the receiver does not serve
        logger.warn(`unrouted request: ${describeError(e)}`);
        if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    });
  };
  return {
    requestListener,
    start: async () => { stopped = false; },
    stop: async () => { stopped = true; await waitForPending(); },
  };
}
