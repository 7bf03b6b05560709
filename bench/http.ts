// HTTP interaction round trip: signed Discord `/fit` interactions over loopback, at several concurrencies.
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Catalog } from '../src/catalog/load.ts';
import { createDiscordInteractionsHandler } from '../src/platforms/discord/interactions.ts';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchHttp(cat: Catalog, levels = [1, 10, 100], perLevel = 400) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const rawPublic = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex');
  const handler = createDiscordInteractionsHandler({ publicKey: rawPublic, applicationId: '123456789012345678', apiBase: 'http://127.0.0.1:9/api', context: () => ({ catalog: cat }) });
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/discord/interactions`;
  // a distinct interaction id per request: a repeated id is refused as a replay
  let n = 0;
  const bodyFor = (id: string) => JSON.stringify({
    id, application_id: '123456789012345678', type: 2, token: 'bench-token', version: 1, channel_id: '42', guild_id: '7',
    member: { permissions: '0', user: { id: '9' } },
    data: { id: '2', name: 'fit', type: 1, options: [{ name: 'model', type: 3, value: 'llama-70b' }, { name: 'chip', type: 3, value: 'cerebras' }] },
  });
  const once = async (): Promise<number> => {
    const body = bodyFor(String(1_000_000_000 + ++n));
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = sign(null, Buffer.from(ts + body), privateKey).toString('hex');
    const t0 = performance.now();
    const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-signature-ed25519': sig, 'x-signature-timestamp': ts } });
    const j = (await r.json()) as { type: number };
    if (r.status !== 200 || j.type !== 4) throw new Error(`unexpected answer ${r.status} type ${j.type}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 50; i++) await once(); // warm up
  const results: Record<string, { p50Ms: number; p99Ms: number; requests: number; requestsPerSecond: number }> = {};
  for (const c of levels) {
    const times: number[] = [];
    const t0 = performance.now();
    let left = perLevel;
    await Promise.all(Array.from({ length: c }, async () => { while (left-- > 0) times.push(await once()); }));
    const wall = performance.now() - t0;
    times.sort((a, b) => a - b);
    results[`concurrency${c}`] = { p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), requests: times.length, requestsPerSecond: Math.round(times.length / (wall / 1000)) };
  }
  await new Promise<void>((r) => server.close(() => r()));
  return results;
}

const round = (x: number) => Math.round(x * 100) / 100;
