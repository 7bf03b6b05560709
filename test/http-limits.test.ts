// Oversized and malformed requests on the real server (src/main.ts, both platform endpoints on one port), over real
// sockets on 127.0.0.1 (issue 11, item 3): a 413 or 400 says `connection: close` and the server closes the socket,
// the body is not read past the limit, and the next request on a fresh connection is answered.
import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { start, type Running } from '../src/main.ts';
import { interaction, newSigner, signature, type Signer } from './helpers/discord-fake.ts';
import { slashBody, slackSignature, startFakeSlack, type FakeSlack } from './helpers/slack-fake.ts';

const SECRET = 'test-signing-secret-limits';
const MiB = 1024 * 1024;
let signer: Signer;
let slack: FakeSlack;
let running: Running;
let port: number;

beforeAll(async () => {
  signer = newSigner();
  slack = await startFakeSlack();
  running = await start(loadConfig({
    PORT: '0', HOST: '127.0.0.1', MEMWALL_DB: ':memory:', DISCORD_PUBLIC_KEY: signer.publicKeyHex, DISCORD_APPLICATION_ID: '123456789012345678',
    SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test-limits', SLACK_API_URL: slack.apiUrl,
  }), () => {});
  port = running.port;
}, 40_000);

afterAll(async () => {
  await running?.stop();
  await slack?.close();
});

/** A request that should be accepted on each endpoint: a signed PING, a signed /chip command. */
function goodRequest(endpoint: 'discord' | 'slack'): { headers: Record<string, string>; body: string } {
  const ts = String(Math.floor(Date.now() / 1000));
  if (endpoint === 'discord') {
    const body = JSON.stringify(interaction(1, undefined));
    return { body, headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature(signer, ts, body), 'x-signature-timestamp': ts } };
  }
  const body = slashBody('/chip', 'h100', slack.responseUrl());
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(SECRET, Number(ts), body) } };
}

const pathOf = (endpoint: 'discord' | 'slack') => (endpoint === 'discord' ? '/discord/interactions' : '/slack/events');

interface Answer { status: number; headers: IncomingHttpHeaders; body: string; reusedSocket: boolean }

/** One request through `agent` (keep-alive), the body written in full. */
function send(agent: Agent, path: string, headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Write `head` (and `chunks`) on a raw socket and never finish the body; collect what the server says until it closes
 * the connection. A server that waits for the rest of the body never answers: the deadline turns that into a failure.
 */
function rawExchange(head: string, chunks: Buffer[] = []): Promise<{ response: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    const finish = (closedByServer: boolean) => { clearTimeout(deadline); socket.destroy(); resolve({ response, closedByServer }); };
    const deadline = setTimeout(() => finish(false), 10_000);
    socket.on('data', (d) => { response += d.toString('latin1'); });
    socket.on('end', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(head);
    for (const c of chunks) socket.write(c);
  });
}

const firstLine = (raw: string) => raw.split('\r\n')[0];
const header = (raw: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw.split('\r\n\r\n')[0])?.[1]?.trim();

for (const endpoint of ['discord', 'slack'] as const) {
  describe(`${endpoint}: requests over the body limit`, () => {
    it('a 2 MiB body gets 413 with connection: close; the next request goes on a fresh connection and is answered', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const warm = goodRequest(endpoint);
        expect((await send(agent, pathOf(endpoint), warm.headers, warm.body)).status).toBe(200);
        const big = await send(agent, pathOf(endpoint), { 'content-type': 'application/json' }, Buffer.alloc(2 * MiB, 0x78));
        expect(big.status).toBe(413);
        expect(big.headers.connection).toBe('close');
        const next = goodRequest(endpoint);
        const after = await send(agent, pathOf(endpoint), next.headers, next.body);
        expect(after.status).toBe(200);
        expect(after.reusedSocket).toBe(false);
      } finally {
        agent.destroy();
      }
    });

    it('a declared Content-Length of 5 MB is refused before any of the body is sent, and the server closes the socket', async () => {
      const { response, closedByServer } = await rawExchange(`POST ${pathOf(endpoint)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${5 * 1000 * 1000}\r\n\r\n`);
      expect(firstLine(response)).toBe('HTTP/1.1 413 Payload Too Large');
      expect(header(response, 'connection')).toBe('close');
      expect(closedByServer).toBe(true);
    }, 15_000);

    it('a chunked body is read only up to the limit: the 413 comes without the rest being sent', async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x78);
      const framed = Array.from({ length: 24 }, () => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])); // 1.5 MiB, no final 0-chunk
      const { response, closedByServer } = await rawExchange(`POST ${pathOf(endpoint)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, framed);
      expect(firstLine(response)).toBe('HTTP/1.1 413 Payload Too Large');
      expect(header(response, 'connection')).toBe('close');
      expect(closedByServer).toBe(true);
    }, 15_000);
  });
}

describe('400 responses close the connection too', () => {
  it('discord: a signed body that is not an interaction', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ts = String(Math.floor(Date.now() / 1000));
      const r = await send(agent, '/discord/interactions', { 'content-type': 'application/json', 'x-signature-ed25519': signature(signer, ts, 'not json'), 'x-signature-timestamp': ts }, 'not json');
      expect(r.status).toBe(400);
      expect(r.headers.connection).toBe('close');
      const next = goodRequest('discord');
      const after = await send(agent, '/discord/interactions', next.headers, next.body);
      expect(after.status).toBe(200);
      expect(after.reusedSocket).toBe(false);
    } finally {
      agent.destroy();
    }
  });

  it('slack: a signed JSON body that does not parse (Bolt answers 400)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ts = Math.floor(Date.now() / 1000);
      const r = await send(agent, '/slack/events', { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SECRET, ts, '{not json') }, '{not json');
      expect(r.status).toBe(400);
      expect(r.headers.connection).toBe('close');
    } finally {
      agent.destroy();
    }
  });

  it('a 401 keeps the connection open (the body was read in full)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const r = await send(agent, '/discord/interactions', { 'content-type': 'application/json' }, '{"type":1}');
      expect(r.status).toBe(401);
      expect(r.headers.connection).toBe('keep-alive');
      const next = goodRequest('discord');
      const after = await send(agent, '/discord/interactions', next.headers, next.body);
      expect(after.status).toBe(200);
      expect(after.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
