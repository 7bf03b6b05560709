// What every request to POST /slack/events passes before Bolt sees it: a bounded body, a timestamp within ±5 minutes
// of now in either direction (Bolt's own check only refuses old ones), and a valid v0 signature. Refusals are counted
// and logged as a summary (src/platforms/http/rejections.ts), so forged traffic cannot flood the log the way Bolt's
// one warning per failed request did. What passes is handed to Bolt with the body already read (`rawBody`, which
// Bolt's HTTPReceiver uses instead of reading the stream again); Bolt then verifies it once more, as it always does.
// Reference: https://docs.slack.dev/authentication/verifying-requests-from-slack
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeOnRefusal, DEFAULT_BODY_LIMIT, readBodyWithin, refuse, timestampWithin, TIMESTAMP_WINDOW_MS } from '../http/body.ts';
import { RejectionLog } from '../http/rejections.ts';

export interface SlackRequestGuardOptions {
  signingSecret: string;
  /** where the refusal summary goes */
  log: (line: string) => void;
  /** default 1 MiB */
  bodyLimit?: number;
  /** ms since the epoch (default Date.now) */
  now?: () => number;
  /** at most one summary line per this many ms (default 60 s) */
  summaryIntervalMs?: number;
  /**
   * the paths Slack posts signed requests to (default /slack/events); anything else (an OAuth install page, say) goes
   * straight on to Bolt, which serves or refuses it itself
   */
  paths?: readonly string[];
}

export type SlackRequestGuard = (req: IncomingMessage, res: ServerResponse, next: () => void) => Promise<void>;

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>` under the signing secret. */
export function slackSignatureValid(secret: string, timestamp: string, body: Buffer, signature: string | string[] | undefined): boolean {
  if (typeof signature !== 'string' || !/^v0=[0-9a-f]{64}$/.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature.slice(3), 'hex'));
}

/** Slack's SSL check (`ssl_check=1`, form-encoded) is exempt from signing; Bolt answers it with an empty 200. */
function isSslCheck(req: IncomingMessage, body: Buffer): boolean {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return false;
  return new URLSearchParams(body.toString('utf8')).get('ssl_check') === '1';
}

export function slackRequestGuard(o: SlackRequestGuardOptions): SlackRequestGuard {
  const now = o.now ?? Date.now;
  const limit = o.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const rejections = new RejectionLog({ endpoint: 'slack', log: o.log, intervalMs: o.summaryIntervalMs, now });

  const paths = new Set(o.paths ?? ['/slack/events']);

  return async (req, res, next) => {
    if (req.method !== 'POST' || !paths.has((req.url ?? '').split('?')[0])) { next(); return; }
    const body = await readBodyWithin(req, limit).catch(() => undefined);
    if (body === undefined) return; // the client went away mid-body
    if (body === null) { rejections.reject('too_large'); refuse(res, 413, { error: 'request body too large' }); return; }
    const ts = req.headers['x-slack-request-timestamp'];
    if (!isSslCheck(req, body)) {
      if (typeof ts !== 'string' || !slackSignatureValid(o.signingSecret, ts, body, req.headers['x-slack-signature'])) {
        rejections.reject('signature');
        refuse(res, 401, { error: 'invalid request signature' });
        return;
      }
      // signed, so genuinely from Slack at some time: but only ±5 minutes of now is accepted (Bolt refuses old only)
      if (!timestampWithin(ts, now(), TIMESTAMP_WINDOW_MS).ok) { rejections.reject('timestamp'); refuse(res, 401, { error: 'request timestamp outside the accepted window' }); return; }
    }
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    closeOnRefusal(res); // a 400 from Bolt (an unparsable body) closes the connection too
    next();
  };
}
