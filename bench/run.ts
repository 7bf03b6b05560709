// `npm run bench` — prints figures; never pass/fail on time. `--json` for one JSON document.
import { catalog } from '../src/catalog/load.ts';
import { renderChart } from '../src/charts/render.ts';
import { runCommand } from '../src/platforms/dispatch.ts';
import { benchCore } from './core.ts';
import { benchDeploy } from './deploy.ts';
import { benchHttp } from './http.ts';
import { benchScale, printScale } from './scale.ts';

const json = process.argv.includes('--json');
const mb = (b: number) => Math.round(b / 1024 / 1024);

const t0 = performance.now();
const cat = catalog();
const catalogLoadMs = Math.round(performance.now() - t0);
const core = benchCore(cat);
const deploy = benchDeploy(cat);

// chart render: the /compare and /landscape charts, warm
const ctx = { catalog: cat };
const charts = [(await runCommand('compare', { a: 'groq', b: 'etched' }, ctx)).chart!, (await runCommand('landscape', {}, ctx)).chart!];
await renderChart(charts[0]);
const renderTimes: number[] = [];
for (let i = 0; i < 10; i++) for (const c of charts) { const s = performance.now(); await renderChart(c); renderTimes.push(performance.now() - s); }
renderTimes.sort((a, b) => a - b);
const chart = { medianMs: Math.round(renderTimes[renderTimes.length >> 1]), maxMs: Math.round(renderTimes[renderTimes.length - 1]) };

const http = await benchHttp(cat);

// start-up: a CLI answer run directly, and a fresh `npm start` process until the playground answers
const { measureCli, measureServer } = await import('./startup.ts');
const cli = await measureCli();
const startup = await measureServer();

// scale-out: 2 instances on PostgreSQL under autocannon from a separate process (needs PostgreSQL 15)
let scale: Awaited<ReturnType<typeof benchScale>> | { error: string };
try {
  scale = await benchScale();
} catch (e) {
  scale = { error: (e as Error).message };
}

const result = {
  core,
  deploy,
  http: { signedDiscordFit: http },
  chart,
  startup,
  cli,
  scale,
  memory: { rssMB: mb(process.memoryUsage().rss), heapUsedMB: mb(process.memoryUsage().heapUsed), catalogLoadMs },
};

if (json) console.log(JSON.stringify(result, null, 2));
else {
  console.log('core');
  console.log(`  layout evaluations per second (one core; one laid-out deployment at one batch, three cases, decode + prefill): ${core.layoutEvaluationsPerSecond.toLocaleString('en-US')} median of five windows (best ${core.bestWindowPerSecond.toLocaleString('en-US')}; ${core.preparedLayouts.toLocaleString('en-US')} layouts)`);
  console.log(`  whole answers per second (estimate(): choose the deployment, then every figure with its range): ${core.answersPerSecond.toLocaleString('en-US')}`);
  console.log(`  full sweep: ${core.sweepEvaluations.toLocaleString('en-US')} answers (chips × models × 5 formats × 8 batches × 4 contexts) in ${core.sweepMs.toLocaleString('en-US')} ms`);
  console.log('questions (every chip that can run the model, 1K in / 1K out; /plan at 1,000 users, TTFT 500 ms, 50 tok/s per user)');
  for (const d of deploy) console.log(`  ${d.question.padEnd(9)} ${d.model.padEnd(14)} ${d.chips} chips: median ${d.medianMs} ms (max ${d.maxMs} ms), ${d.evaluations.toLocaleString('en-US')} evaluations`);
  console.log('HTTP round trip, signed Discord /fit over loopback');
  for (const [k, v] of Object.entries(http)) console.log(`  ${k.replace('concurrency', 'concurrency ')}: p50 ${v.p50Ms} ms, p99 ${v.p99Ms} ms, ${v.requestsPerSecond} req/s (${v.requests} requests)`);
  console.log(`chart render (vega-lite → SVG → PNG): median ${chart.medianMs} ms, max ${chart.maxMs} ms`);
  console.log(`CLI answer run directly (node bin/memwall.js fit llama-70b cerebras): median ${cli.medianMs} ms, max ${cli.maxMs} ms over ${cli.runs} runs`);
  console.log(`start-up (npm start → playground answering): ${startup.ms} ms; its RSS ${startup.rssMB} MB`);
  if ('error' in scale) console.log(`scale: not measured — ${scale.error}`);
  else printScale(scale);
  console.log(`this process: RSS ${result.memory.rssMB} MB, heap ${result.memory.heapUsedMB} MB; catalog load ${catalogLoadMs} ms`);
}

