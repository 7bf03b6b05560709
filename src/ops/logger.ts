// Structured logs: pino, one JSON line per event, every line with the instance id. Tokens, secrets, signatures and
// passwords are redacted by key (pino's redact paths) and by shape inside messages (Slack and Discord tokens, Slack
// and Discord signatures, URL passwords). Human-readable output through pino-pretty only when a terminal is attached.
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

const SECRET_KEYS = [
  'token', 'botToken', 'bot_token', 'access_token', 'refresh_token', 'userToken', 'appToken', 'clientSecret', 'client_secret',
  'signingSecret', 'signing_secret', 'stateSecret', 'encryptionKey', 'password', 'secret', 'authorization', 'cookie',
];
const HEADER_KEYS = ['authorization', 'cookie', 'set-cookie', 'x-signature-ed25519', 'x-slack-signature', 'x-slack-request-timestamp'];

/** pino redact paths: secret keys at the top level and up to two levels down, and signed-request headers. */
export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  ...HEADER_KEYS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`]),
];

const SHAPES: [RegExp, string][] = [
  [/xox[abposre]-[\w-]+/gi, '[slack-token]'],
  [/xapp-[\w-]+/gi, '[slack-app-token]'],
  [/\b(Bot|Bearer)\s+[\w.-]{20,}/g, '$1 [token]'],
  // a Discord bot token: base64 user id . timestamp . hmac
  [/\b[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,38}\b/g, '[discord-token]'],
  [/v0=[0-9a-f]{64}/gi, 'v0=[signature]'],
  [/\b[0-9a-f]{128}\b/gi, '[signature]'],
  [/(\w+:\/\/[^:/\s]+:)[^@/\s]+@/g, '$1***@'],
  // "client_secret":"…", client_secret=…, token: … inside a logged body or query string (Slack's debug logs print them)
  [/(\\?["']?\b(?:client_secret|access_token|refresh_token|bot_token|token|secret|password|signing_secret|state_secret|code)\\?["']?\s*[:=]\s*\\?["']?)[^"'\\&,\s}]+/gi, '$1[redacted]'],
];

/** Take anything that looks like a token, signature or URL password out of a string. */
export function scrub(text: string): string {
  let out = text;
  for (const [re, by] of SHAPES) out = out.replace(re, by);
  return out;
}

export interface LoggerOptions {
  instanceId?: string;
  /** default: LOG_LEVEL, else info */
  level?: string;
  /** where lines go (tests); default stdout, pretty when it is a terminal */
  destination?: DestinationStream;
  /** force pino-pretty on or off (default: when stdout is a TTY and no destination is given) */
  pretty?: boolean;
}

export function defaultInstanceId(): string {
  return process.env.MEMWALL_INSTANCE_ID || `${hostname()}-${process.pid}`;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? (!opts.destination && !!process.stdout.isTTY);
  const options: pino.LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { instance: opts.instanceId ?? defaultInstanceId() },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: {
      // messages and string arguments are scrubbed too: a token can hide in an error message
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
      },
    },
    formatters: {
      log(obj) {
        // error messages inside objects (err, error) are scrubbed the same way
        for (const k of ['err', 'error', 'reason']) {
          const v = obj[k];
          if (typeof v === 'string') obj[k] = scrub(v);
          else if (v instanceof Error) obj[k] = { type: v.name, message: scrub(v.message) };
        }
        return obj;
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
