// A loopback stand-in for Slack: the Web API (auth.test, the files upload flow, chat.postMessage) and response_url
// endpoints, recording every request it receives. Plus helpers to sign requests the way Slack does.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catalog } from '../../src/catalog/load.ts';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../src/platforms/slack/app.ts';

export interface Recorded {
  at: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** parsed JSON (response_url posts) */
  json?: any;
  /** parsed url-encoded form (Web API calls) */
  form?: Record<string, string>;
  /** multipart parts (file upload) */
  parts?: Record<string, Buffer | string>;
}

export interface FakeSlack {
  url: string;
  apiUrl: string;
  requests: Recorded[];
  /** Web API method → Slack error code it should answer with (ok:false) */
  failures: Record<string, string>;
  /**
   * OAuth: an authorization code → the installation oauth.v2.access answers with (that workspace's bot token).
   * The tokens it hands out are then known to auth.test, which answers with their own team.
   */
  oauthCodes: Map<string, { teamId: string; teamName: string; botToken: string; botUserId: string; userId: string }>;
  /** a fresh response_url on this fake */
  responseUrl(): string;
  /** the response_url posts for one response_url */
  responses(url: string): Recorded[];
  api(method: string): Recorded[];
  waitFor<T>(fn: () => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function multipart(body: Buffer, contentType: string): Promise<Record<string, Buffer | string>> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const out: Record<string, Buffer | string> = {};
  for (const [k, v] of form.entries()) out[k] = typeof v === 'string' ? v : Buffer.from(await v.arrayBuffer());
  return out;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const requests: Recorded[] = [];
  const failures: Record<string, string> = {};
  const oauthCodes: FakeSlack['oauthCodes'] = new Map();
  const issued = new Map<string, { teamId: string; teamName: string; botUserId: string }>();
  let nextResponse = 0, nextFile = 0;
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' }).end(text);
  };

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const rec: Recorded = { at: performance.now(), method: req.method ?? '', path, headers: req.headers, body };
    const ct = String(req.headers['content-type'] ?? '');
    try {
      if (ct.includes('application/json')) rec.json = JSON.parse(body.toString('utf8'));
      else if (ct.includes('application/x-www-form-urlencoded')) rec.form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      else if (ct.includes('multipart/form-data')) rec.parts = await multipart(body, ct);
    } catch { /* recorded raw */ }
    requests.push(rec);

    if (path.startsWith('/respond/')) return send(res, 200, 'ok');
    if (path.startsWith('/upload/')) return send(res, 200, 'OK - uploaded');
    const m = /^\/api\/(.+)$/.exec(path);
    if (!m) return send(res, 404, 'not found');
    const method = m[1];
    if (failures[method]) return send(res, 200, { ok: false, error: failures[method] });
    const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    switch (method) {
      case 'auth.test': {
        const known = issued.get(bearer);
        if (known) return send(res, 200, { ok: true, url: `https://${known.teamId}.slack.test/`, team: known.teamName, user: 'memwall', team_id: known.teamId, user_id: known.botUserId, bot_id: `B${known.teamId}` });
        return send(res, 200, { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'memwall', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' });
      }
      case 'oauth.v2.access': {
        const inst = oauthCodes.get(rec.form?.code ?? '');
        if (!inst) return send(res, 200, { ok: false, error: 'invalid_code' });
        oauthCodes.delete(rec.form!.code); // a code is good once
        issued.set(inst.botToken, inst);
        return send(res, 200, {
          ok: true, app_id: 'A0APP', authed_user: { id: inst.userId }, scope: 'commands,chat:write', token_type: 'bot', access_token: inst.botToken,
          bot_user_id: inst.botUserId, team: { id: inst.teamId, name: inst.teamName }, enterprise: null, is_enterprise_install: false,
        });
      }
      case 'conversations.info': return send(res, 200, { ok: true, channel: { id: rec.form?.channel, is_member: true } });
      case 'files.getUploadURLExternal': {
        const id = `F${++nextFile}`;
        return send(res, 200, { ok: true, upload_url: `${base}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(rec.form?.files ?? '[]') as { id: string; title?: string }[];
        return send(res, 200, { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) });
      }
      case 'chat.postMessage': return send(res, 200, { ok: true, channel: rec.form?.channel, ts: '1700000000.000100' });
      default: return send(res, 200, { ok: false, error: 'unknown_method' });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiUrl: `${base}/api/`,
    requests,
    failures,
    oauthCodes,
    responseUrl: () => `${base}/respond/${++nextResponse}`,
    responses: (url: string) => requests.filter((r) => r.path === new URL(url).pathname),
    api: (method: string) => requests.filter((r) => r.path === `/api/${method}`),
    async waitFor<T>(fn: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; fake saw: ${requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'nothing'}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

/** Slack's v0 signature over `v0:<ts>:<body>`. */
export function slackSignature(secret: string, ts: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

export interface PostResult { status: number; body: string; ms: number }

/** POST a body to the app as Slack would: form-encoded and signed (or mis-signed when told). */
export async function postSigned(url: string, secret: string, body: string, opts: { ts?: number; signature?: string } = {}): Promise<PostResult> {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': opts.signature ?? slackSignature(secret, ts, body),
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - t0 };
}

/** The form Slack posts for a slash command. */
export function slashBody(command: string, text: string, responseUrl: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: 'legacy-verification-token', team_id: 'T0FAKE', team_domain: 'fake', channel_id: 'C0CHAN', channel_name: 'hardware',
    user_id: 'U0ASKER', user_name: 'asker', command, text, api_app_id: 'A0APP', is_enterprise_install: 'false',
    response_url: responseUrl, trigger_id: '1.2.3', ...extra,
  }).toString();
}

/** The form Slack posts when a button is pressed in a message. */
export function buttonBody(actionId: string, responseUrl: string, value?: string): string {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0PRESSER', username: 'presser', team_id: 'T0FAKE' },
    api_app_id: 'A0APP',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: '1700000000.000200', channel_id: 'C0CHAN', is_ephemeral: false },
    trigger_id: '4.5.6',
    team: { id: 'T0FAKE', domain: 'fake' },
    channel: { id: 'C0CHAN', name: 'hardware' },
    response_url: responseUrl,
    actions: [{ action_id: actionId, block_id: 'b1', text: { type: 'plain_text', text: 'Prefill' }, value: value ?? actionId, type: 'button', action_ts: '1700000001.000300' }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A Bolt logger that keeps every line in `logs`, prefixed with its level. */
export function recordingLogger(logs: string[]) {
  return {
    debug: (...a: unknown[]) => { logs.push(`debug ${a.join(' ')}`); },
    info: (...a: unknown[]) => { logs.push(`info ${a.join(' ')}`); },
    warn: (...a: unknown[]) => { logs.push(`warn ${a.join(' ')}`); },
    error: (...a: unknown[]) => { logs.push(`error ${a.join(' ')}`); },
    setLevel: () => {}, getLevel: () => 'debug' as any, setName: () => {},
  };
}

/** A loopback server routing POST /slack/events to the app's request listener (`wrap` may observe each response). */
export async function serveSlackEvents(
  listener: () => ((req: IncomingMessage, res: ServerResponse) => unknown) | undefined,
  wrap?: (res: ServerResponse) => void,
): Promise<{ server: Server; eventsUrl: string }> {
  const server = createServer((req, res) => {
    wrap?.(res);
    const l = listener();
    if (req.method === 'POST' && new URL(req.url ?? '/', 'http://x').pathname === '/slack/events' && l) return void l(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, eventsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events` };
}

/** The app as the Slack tests run it: a fake Web API, the Bolt app pointed at it, and its events endpoint on loopback. */
export interface SlackHarness { fake: FakeSlack; slack: SlackApp; server: Server; eventsUrl: string; close(): Promise<void> }

export async function startSlackHarness(o: { secret: string; botToken: string; logger: SlackAppOptions['logger'] }): Promise<SlackHarness> {
  catalog();
  const fake = await startFakeSlack();
  const slack = await createSlackApp({ signingSecret: o.secret, botToken: o.botToken, apiUrl: fake.apiUrl, context: () => ({ catalog: catalog() }), logger: o.logger });
  await slack.start();
  const { server, eventsUrl } = await serveSlackEvents(() => slack.requestListener);
  return {
    fake, slack, server, eventsUrl,
    async close() {
      await slack.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await fake.close();
    },
  };
}
