// `npm run bench` scale section: 2 memwall instances on one PostgreSQL (a throwaway server), signed Discord /fit
// interactions from a separate load process (bench/load.ts, autocannon) at concurrency 1, 10, 100 and 500.
// Reports req/s, p50, p99 and errors, and where the time goes: CPU of each process over the run, and the servers' own
// view from /metrics (time inside the command vs. time inside the HTTP handler).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { createDatabase, startPostgres } from '../test/helpers/pg-server.ts';

const run = promisify(execFile);
const TICK = 100; // clock ticks per second for /proc/<pid>/stat (getconf CLK_TCK on Linux)

async function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

/** CPU seconds used so far by a process and its children (utime + stime + cutime + cstime) */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
  } catch { return 0; }
}

/** all postgres processes' CPU (the postmaster's children are the backends) */
async function pgCpuSeconds(): Promise<number> {
  const { stdout } = await run('pgrep', ['-x', 'postgres']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).reduce((s, pid) => s + cpuSeconds(Number(pid)), 0);
}

function metric(text: string, name: string, labels: string): number {
  const re = new RegExp(`^${name}${labels.replace(/[{}"/]/g, (c) => `\\${c}`)} ([0-9.e+-]+)$`, 'm');
  return Number(re.exec(text)?.[1] ?? NaN);
}

export interface ScaleLevel { concurrency: number; requestsPerSecond: number; perInstance: number[]; p50Ms: number; p99Ms: number; errors: number; requests: number; cpu: Record<string, number> }

export async function benchScale(opts: { levels?: number[]; seconds?: number } = {}) {
  const levels = opts.levels ?? [1, 10, 100, 500];
  const seconds = opts.seconds ?? 8;
  const pg = await startPostgres();
  const children: ChildProcess[] = [];
  try {
    const url = await createDatabase(pg.url, 'bench');
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const publicHex = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('hex');
    const ports = [await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url,
          DISCORD_PUBLIC_KEY: publicHex, DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_API_BASE: 'http://127.0.0.1:9/api/v10',
          MEMWALL_INSTANCE_ID: `bench-${i + 1}`, LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'ignore', 'inherit'], // logs (one JSON line per command) go to /dev/null: written, not kept
      });
      children.push(child);
    }
    const bases = ports.map((p) => `http://127.0.0.1:${p}`);
    for (const b of bases) {
      const t0 = Date.now();
      for (;;) {
        try { if ((await fetch(`${b}/readyz`)).ok) break; } catch { /* starting */ }
        if (Date.now() - t0 > 60_000) throw new Error(`${b} did not become ready`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const load = (connections: number, secs: number, perSecondGuess: number) => new Promise<{ url: string; connections: number; requests: number; rps: number; p50: number; p99: number; errors: number }[]>((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', JSON.stringify({ urls: bases.map((b) => `${b}/discord/interactions`), connections, seconds: secs, privateKeyPem, perSecondGuess })], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
      loadPid = p.pid!;
    });
    let loadPid = 0;
    await load(20, 3, 3000); // warm-up: JIT, connection pools
    const results: ScaleLevel[] = [];
    for (const c of levels) {
      const before = { i1: cpuSeconds(children[0].pid!), i2: cpuSeconds(children[1].pid!), pg: await pgCpuSeconds() };
      let loadCpu = 0;
      const sample = setInterval(() => { loadCpu = Math.max(loadCpu, cpuSeconds(loadPid)); }, 200);
      const t0 = performance.now();
      const runs = await load(c, seconds, 3000);
      const wall = (performance.now() - t0) / 1000;
      clearInterval(sample);
      const cpu = {
        instance1: (cpuSeconds(children[0].pid!) - before.i1) / seconds,
        instance2: (cpuSeconds(children[1].pid!) - before.i2) / seconds,
        postgres: ((await pgCpuSeconds()) - before.pg) / seconds,
        loadGenerator: loadCpu / wall,
      };
      const total = runs.reduce((s, r) => s + r.requests, 0);
      results.push({
        concurrency: c,
        requests: total,
        requestsPerSecond: Math.round(total / seconds),
        perInstance: runs.map((r) => Math.round(r.requests / seconds)),
        p50Ms: Math.max(...runs.map((r) => r.p50)),
        p99Ms: Math.max(...runs.map((r) => r.p99)),
        errors: runs.reduce((s, r) => s + r.errors, 0),
        cpu: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round(v * 100) / 100])),
      });
    }
    // the servers' own view: mean time inside the /fit command and inside the HTTP handler
    const texts = await Promise.all(bases.map(async (b) => (await fetch(`${b}/metrics`)).text()));
    const sum = (name: string, labels: string) => texts.reduce((s, t) => s + metric(t, name, labels), 0);
    const server = {
      commandMeanMs: Math.round((sum('memwall_command_duration_seconds_sum', '{command="fit"}') / sum('memwall_command_duration_seconds_count', '{command="fit"}')) * 1e5) / 100,
      httpMeanMs: Math.round((sum('memwall_http_request_duration_seconds_sum', '{route="POST /discord/interactions",status="200"}') / sum('memwall_http_request_duration_seconds_count', '{route="POST /discord/interactions",status="200"}')) * 1e5) / 100,
      answered: sum('memwall_commands_total', '{command="fit",outcome="answer"}'),
    };
    return { instances: 2, seconds, levels: results, server };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await pg.stop();
  }
}

export function printScale(r: Awaited<ReturnType<typeof benchScale>>): void {
  console.log(`scale: ${r.instances} instances on one PostgreSQL, signed Discord /fit from a separate autocannon process (${r.seconds} s per level)`);
  for (const l of r.levels) {
    console.log(`  concurrency ${String(l.concurrency).padStart(3)}: ${l.requestsPerSecond.toLocaleString('en-US')} req/s (${l.perInstance.map((x) => x.toLocaleString('en-US')).join(' + ')}), p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, ${l.errors} errors; CPU cores used: instances ${l.cpu.instance1} + ${l.cpu.instance2}, postgres ${l.cpu.postgres}, load generator ${l.cpu.loadGenerator}`);
  }
  console.log(`  inside the servers: /fit command ${r.server.commandMeanMs} ms mean, whole HTTP handler ${r.server.httpMeanMs} ms mean (${r.server.answered.toLocaleString('en-US')} answered)`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) printScale(await benchScale());
