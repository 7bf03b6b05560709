// Core throughput: layout evaluations per second (the sweep's inner step), whole answers per second, and the time of a
// full catalog sweep.
import type { Catalog } from '../src/catalog/load.ts';
import type { NumberFormat } from '../src/catalog/schema.ts';
import { estimate } from '../src/core/estimate.ts';
import { fit } from '../src/core/fit.ts';
import { tensorDegrees } from '../src/core/layout.ts';
import { evaluatePoint, prepare, type Prepared } from '../src/core/step.ts';
import type { Scenario } from '../src/core/types.ts';

export const SWEEP_FORMATS: NumberFormat[] = ['bf16', 'fp8', 'int8', 'fp4', 'int4'];
export const SWEEP_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128];
export const SWEEP_CONTEXTS = [1024, 4096, 16384, 65536];

export function sweepScenarios(cat: Catalog): Scenario[] {
  const out: Scenario[] = [];
  const reserve = cat.efficiency.runtimeReserve.fraction;
  for (const chip of cat.chips) for (const model of cat.models) for (const weights of SWEEP_FORMATS) for (const batch of SWEEP_BATCHES) for (const ctx of SWEEP_CONTEXTS) {
    out.push({ model, chip, family: cat.family(chip), weights, kv: 'bf16', inputTokens: ctx - Math.min(512, ctx / 2), outputTokens: Math.min(512, ctx / 2),
      batch, chips: 'auto', reserveFraction: reserve });
  }
  return out;
}

/** Every legal tensor-parallel layout (one and two pipeline stages) of every chip × model × format, prepared once. */
function preparedLayouts(cat: Catalog): Prepared[] {
  const out: Prepared[] = [];
  const reserve = cat.efficiency.runtimeReserve.fraction;
  for (const chip of cat.chips) for (const model of cat.models) for (const weights of SWEEP_FORMATS) {
    const probe = fit({ model, chip, weights, kv: 'bf16', contextTokens: 2048, batch: 1, chips: 'auto', reserveFraction: reserve });
    if (probe.refused) continue;
    for (const t of tensorDegrees(model, chip, 64)) for (const p of [1, 2]) {
      const f = fit({ model, chip, weights, kv: 'bf16', contextTokens: 2048, batch: 1, chips: t * p, reserveFraction: reserve });
      if (!f.fits) continue;
      out.push(prepare(model, chip, cat.family(chip), weights, 'bf16', { tensorParallel: t, pipelineStages: p, replicas: 1, expertParallel: model.moe && t > 1 ? t : 1 }, f));
    }
  }
  return out;
}

function windows(run: () => number): number[] {
  const rates: number[] = [];
  for (let w = 0; w < 5; w++) {
    const t1 = performance.now();
    let done = 0;
    while (performance.now() - t1 < 500) done += run();
    rates.push(done / ((performance.now() - t1) / 1000));
  }
  return rates.sort((a, b) => a - b);
}

export function benchCore(cat: Catalog) {
  // layout evaluations: one prepared layout at one batch and one prompt/output length, three cases each
  const layouts = preparedLayouts(cat);
  const point = new Float64Array(6);
  let sink = 0, k = 0;
  const evalRun = () => {
    for (let i = 0; i < 20_000; i++, k++) {
      evaluatePoint(layouts[(k * 7919) % layouts.length], 1, SWEEP_BATCHES[k & 7], 1024, 512, point);
      sink += point[1];
    }
    return 20_000;
  };
  evalRun(); evalRun(); // warm up the JIT
  const evalRates = windows(evalRun);

  // whole answers: estimate() chooses a deployment (several layouts) and builds the full reply data
  const scenarios = sweepScenarios(cat);
  for (let i = 0; i < 5_000; i++) sink += estimate(scenarios[(i * 7919) % scenarios.length]).chips;
  const t0 = performance.now();
  for (const s of scenarios) sink += estimate(s).chips;
  const sweepMs = performance.now() - t0;
  let n = 0;
  const answerRates = windows(() => {
    for (let i = 0; i < 1_000; i++) sink += estimate(scenarios[((n + i) * 7919) % scenarios.length]).chips;
    n += 1_000;
    return 1_000;
  });
  if (sink === -1) console.log(sink);
  return {
    layoutEvaluationsPerSecond: Math.round(evalRates[2]), bestWindowPerSecond: Math.round(evalRates[4]), preparedLayouts: layouts.length,
    answersPerSecond: Math.round(answerRates[2]), sweepEvaluations: scenarios.length, sweepMs: Math.round(sweepMs),
  };
}
