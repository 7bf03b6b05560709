// Start-up figures: a CLI answer run directly (`node bin/memwall.js fit llama-70b cerebras`, as an installed
// `memwall` runs) and `npm start` (bin/serve.js) until the playground answers. Printed, never asserted.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);

/** Median and max wall time of `runs` fresh CLI processes. */
export async function measureCli(runs = 7): Promise<{ medianMs: number; maxMs: number; runs: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await run(process.execPath, [join(ROOT, 'bin', 'memwall.js'), 'fit', 'llama-70b', 'cerebras'], { cwd: ROOT });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return { medianMs: Math.round(times[times.length >> 1]), maxMs: Math.round(times[times.length - 1]), runs };
}

/** A fresh server process (what `npm start` runs) until GET / answers; its RSS then. */
export async function measureServer(): Promise<{ ms: number; rssMB: number }> {
  const port = 39000 + Math.floor(Math.random() * 1000);
  const s = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'serve.js')], {
    cwd: ROOT, stdio: 'ignore',
    env: { ...process.env, PORT: String(port), DISCORD_TOKEN: '', DISCORD_PUBLIC_KEY: '', SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '' },
  });
  try {
    for (;;) {
      try { if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 10));
      if (performance.now() - s > 30_000) throw new Error('start-up took over 30 s');
    }
    const ms = Math.round(performance.now() - s);
    const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(child.pid)]);
    return { ms, rssMB: Math.round(Number(stdout.trim()) / 1024) };
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const cli = await measureCli();
  const server = await measureServer();
  console.log(`CLI answer, run directly (node bin/memwall.js fit llama-70b cerebras): median ${cli.medianMs} ms, max ${cli.maxMs} ms over ${cli.runs} runs`);
  console.log(`server start (npm start → playground answering): ${server.ms} ms; its RSS ${server.rssMB} MB`);
}
