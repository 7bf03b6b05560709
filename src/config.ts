// Configuration from the environment (and .env), validated at start. A bad setting stops start-up with one line naming it.
import { z } from 'zod';
import { redactUrl } from './digest/store.ts';
import { parseEncryptionKey } from './platforms/slack/installations.ts';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const Env = z.object({
  PORT: z.preprocess((v) => (v === undefined || v === '' ? '3000' : v), z.string().regex(/^\d+$/, 'must be a port number (0–65535)').transform(Number).refine((n) => n >= 0 && n <= 65535, 'must be a port number (0–65535)')),
  HOST: optional(z.string().min(1)),
  DISCORD_TOKEN: optional(z.string().min(20, 'looks too short for a Discord bot token')),
  DISCORD_PUBLIC_KEY: optional(z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the 64-hex-digit public key from the Discord developer portal')),
  DISCORD_APPLICATION_ID: optional(z.string().regex(/^\d{5,25}$/, 'must be the numeric application id')),
  DISCORD_GUILD_ID: optional(z.string().regex(/^\d{5,25}$/, 'must be a numeric guild (server) id')),
  DISCORD_API_BASE: optional(z.url('must be a URL')),
  SLACK_SIGNING_SECRET: optional(z.string().min(8, 'looks too short for a Slack signing secret')),
  SLACK_BOT_TOKEN: optional(z.string().regex(/^xoxb-/, 'must be a bot token starting with xoxb-')),
  SLACK_APP_TOKEN: optional(z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp-')),
  SLACK_API_URL: optional(z.url('must be a URL')),
  SLACK_SUBSCRIBERS: z.preprocess((v) => (v === undefined || v === '' ? 'anyone' : v), z.enum(['anyone', 'admins'], { message: 'must be "anyone" or "admins"' })),
  MEMWALL_DB: optional(z.string().min(1)),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\/\S+$/i, 'must be a postgres:// URL (leave it unset for the SQLite file in MEMWALL_DB)')),
  DISCORD_MODE: optional(z.enum(['gateway', 'http'], { message: 'must be "gateway" (log in over the gateway) or "http" (HTTP interactions only; the token posts digests over REST)' })),
  SLACK_CLIENT_ID: optional(z.string().regex(/^\d+\.\d+$/, 'must be the app\'s Client ID (digits.digits, from Basic Information)')),
  SLACK_CLIENT_SECRET: optional(z.string().min(8, 'looks too short for a Slack client secret')),
  SLACK_STATE_SECRET: optional(z.string().min(16, 'must be at least 16 characters (any random string; it signs the OAuth state)')),
  MEMWALL_ENCRYPTION_KEY: optional(z.string().min(1)),
  LOG_LEVEL: optional(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { message: 'must be one of trace, debug, info, warn, error, fatal, silent' })),
  MEMWALL_INSTANCE_ID: optional(z.string().regex(/^[\w.:-]{1,64}$/, 'must be 1–64 letters, digits, dots, colons, dashes or underscores')),
});

export interface Config {
  port: number;
  host: string;
  discord: {
    /** log in over the gateway (DISCORD_TOKEN, unless DISCORD_MODE=http) */
    gateway: { token: string } | null;
    /** the bot token for REST (digests), in either mode */
    rest: { token: string } | null;
    http: { publicKey: string; applicationId: string } | null;
    apiBase: string;
  };
  slack: {
    signingSecret?: string; botToken?: string; appToken?: string; apiUrl?: string; subscribers: 'anyone' | 'admins';
    /** multi-workspace install (Bolt OAuth); installations encrypted with encryptionKey */
    oauth?: { clientId: string; clientSecret: string; stateSecret: string; encryptionKey: Buffer };
  } | null;
  /** no platform credentials: run the local playground */
  playground: boolean;
  /** a SQLite file (MEMWALL_DB) or a postgres:// URL (DATABASE_URL) */
  dbPath: string;
  logLevel?: string;
  instanceId?: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const r = Env.safeParse(env);
  if (!r.success) {
    const issue = r.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const raw = env[name];
    // never echo a secret back
    const shown = raw === undefined || /TOKEN|SECRET|KEY/.test(name) ? '' : ` (got "${raw}")`;
    throw new ConfigError(`${name} ${issue.message}${shown}`);
  }
  const e = r.data;
  if (e.DISCORD_PUBLIC_KEY && !e.DISCORD_APPLICATION_ID) throw new ConfigError('DISCORD_APPLICATION_ID is required when DISCORD_PUBLIC_KEY is set (HTTP interactions need both)');
  if (e.SLACK_SIGNING_SECRET && !e.SLACK_BOT_TOKEN && !e.SLACK_CLIENT_ID) throw new ConfigError('SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID with its OAuth settings (many workspaces) is required when SLACK_SIGNING_SECRET is set');
  if (e.SLACK_APP_TOKEN && !e.SLACK_BOT_TOKEN) throw new ConfigError('SLACK_BOT_TOKEN is required when SLACK_APP_TOKEN is set (Socket Mode)');
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) throw new ConfigError('SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)');
  let oauth: NonNullable<Config['slack']>['oauth'];
  if (e.SLACK_CLIENT_ID || e.SLACK_CLIENT_SECRET || e.SLACK_STATE_SECRET) {
    for (const [name, v] of [['SLACK_CLIENT_ID', e.SLACK_CLIENT_ID], ['SLACK_CLIENT_SECRET', e.SLACK_CLIENT_SECRET], ['SLACK_STATE_SECRET', e.SLACK_STATE_SECRET], ['SLACK_SIGNING_SECRET', e.SLACK_SIGNING_SECRET], ['MEMWALL_ENCRYPTION_KEY', e.MEMWALL_ENCRYPTION_KEY]] as const) {
      if (!v) throw new ConfigError(`${name} is required for the multi-workspace Slack install (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET, SLACK_SIGNING_SECRET and MEMWALL_ENCRYPTION_KEY go together)`);
    }
    if (e.SLACK_BOT_TOKEN) throw new ConfigError('SLACK_BOT_TOKEN is for one workspace; with SLACK_CLIENT_ID each workspace installs the app and its token is stored — unset one of them');
    if (e.SLACK_APP_TOKEN) throw new ConfigError('SLACK_APP_TOKEN (Socket Mode) cannot serve the OAuth install; the multi-workspace install needs HTTP (unset SLACK_APP_TOKEN)');
    let encryptionKey: Buffer;
    try { encryptionKey = parseEncryptionKey(e.MEMWALL_ENCRYPTION_KEY!); } catch (err) { throw new ConfigError(`MEMWALL_ENCRYPTION_KEY ${(err as Error).message}`); }
    oauth = { clientId: e.SLACK_CLIENT_ID!, clientSecret: e.SLACK_CLIENT_SECRET!, stateSecret: e.SLACK_STATE_SECRET!, encryptionKey };
  }
  if (e.DISCORD_MODE === 'http' && !(e.DISCORD_TOKEN && e.DISCORD_PUBLIC_KEY)) throw new ConfigError('DISCORD_MODE=http needs DISCORD_PUBLIC_KEY (the interactions endpoint) and DISCORD_TOKEN (to post digests over REST)');
  const discordHttp = e.DISCORD_PUBLIC_KEY && e.DISCORD_APPLICATION_ID ? { publicKey: e.DISCORD_PUBLIC_KEY, applicationId: e.DISCORD_APPLICATION_ID } : null;
  const slack = e.SLACK_BOT_TOKEN || oauth ? { signingSecret: e.SLACK_SIGNING_SECRET, botToken: e.SLACK_BOT_TOKEN, appToken: e.SLACK_APP_TOKEN, apiUrl: e.SLACK_API_URL, subscribers: e.SLACK_SUBSCRIBERS, ...(oauth ? { oauth } : {}) } : null;
  const playground = !e.DISCORD_TOKEN && !discordHttp && !slack;
  return {
    port: e.PORT,
    // the playground is for this machine only; platform endpoints must be reachable by Discord and Slack
    host: playground ? '127.0.0.1' : e.HOST ?? '0.0.0.0',
    discord: {
      gateway: e.DISCORD_TOKEN && e.DISCORD_MODE !== 'http' ? { token: e.DISCORD_TOKEN } : null,
      rest: e.DISCORD_TOKEN ? { token: e.DISCORD_TOKEN } : null,
      http: discordHttp,
      apiBase: e.DISCORD_API_BASE ?? 'https://discord.com/api/v10',
    },
    slack,
    playground,
    dbPath: e.DATABASE_URL ?? e.MEMWALL_DB ?? 'var/memwall.db',
    logLevel: e.LOG_LEVEL,
    instanceId: e.MEMWALL_INSTANCE_ID,
  };
}

/** What is switched on, for the start-up log. Never includes a secret. */
export function describe(c: Config): string[] {
  const on: string[] = [];
  if (c.discord.gateway) on.push('Discord gateway (Guilds intent, shards: auto)');
  else if (c.discord.rest) on.push('Discord digests over REST (no gateway)');
  if (c.discord.http) on.push(`Discord HTTP interactions at POST /discord/interactions (application ${c.discord.http.applicationId})`);
  if (c.slack?.appToken) on.push('Slack Socket Mode');
  else if (c.slack?.oauth) on.push('Slack HTTP at POST /slack/events; install at GET /slack/install (OAuth, tokens encrypted in the database)');
  else if (c.slack) on.push('Slack HTTP at POST /slack/events');
  on.push(/^postgres/i.test(c.dbPath) ? `PostgreSQL at ${redactUrl(c.dbPath)}` : `SQLite at ${c.dbPath}`);
  if (c.playground) on.push('local playground (no platform credentials set)');
  return on;
}
