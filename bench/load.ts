// The load generator for `npm run bench`'s scale section, run as a process of its own (so its CPU is not the
// server's): autocannon against each instance, every request a distinct signed Discord /fit interaction (unique id,
// current timestamp, Ed25519 signature), pre-signed before the measured window so signing does not compete with the
// servers. argv[2]: JSON { urls, connections, seconds, privateKeyPem }. Prints one JSON result.
import { createPrivateKey, sign } from 'node:crypto';
import autocannon from 'autocannon';

const args = JSON.parse(process.argv[2]) as { urls: string[]; connections: number; seconds: number; privateKeyPem: string; perSecondGuess: number };
const key = createPrivateKey(args.privateKeyPem);

function signedBodies(n: number, prefix: number): { body: string; headers: Record<string, string> }[] {
  const ts = String(Math.floor(Date.now() / 1000));
  const out = [];
  // ids unique across runs too (this process's pid): a repeated interaction id is refused as a replay
  const run = `${prefix}${process.pid}`;
  for (let i = 0; i < n; i++) {
    const id = `${run}${String(i).padStart(9, '0')}`;
    const body = JSON.stringify({
      id, application_id: '123456789012345678', type: 2, token: `bench-${id}`, version: 1, channel_id: '42', guild_id: '7',
      member: { permissions: '0', user: { id: '9' } },
      data: { id: '2', name: 'fit', type: 1, options: [{ name: 'model', type: 3, value: 'llama-70b' }, { name: 'chip', type: 3, value: 'cerebras' }] },
    });
    out.push({ body, headers: { 'content-type': 'application/json', 'x-signature-ed25519': sign(null, Buffer.from(ts + body), key).toString('hex'), 'x-signature-timestamp': ts } });
  }
  return out;
}

// split the connections over the instances (1 connection: the first instance only)
const shares = args.urls.map((_, i) => Math.floor(args.connections / args.urls.length) + (i < args.connections % args.urls.length ? 1 : 0));
const runs = await Promise.all(args.urls.map(async (url, i) => {
  if (shares[i] === 0) return null;
  const pool = signedBodies(Math.ceil(args.perSecondGuess * args.seconds * 1.3) + 1000, 10 + i);
  let next = 0;
  const result = await autocannon({
    url, method: 'POST', connections: shares[i], duration: args.seconds, timeout: 10,
    requests: [{ setupRequest: (req: Record<string, unknown>) => { const p = pool[next++ % pool.length]; return { ...req, method: 'POST', path: '/discord/interactions', body: p.body, headers: p.headers }; } }],
  });
  if (next > pool.length) process.stderr.write(`warning: ${url}: ${next} requests but only ${pool.length} distinct ids\n`);
  return { url, connections: shares[i], requests: result.requests.total, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, non2xx: result.non2xx };
}));
process.stdout.write(JSON.stringify(runs.filter(Boolean)));
