// Core throughput: evaluations per second and the time of a full catalog sweep.
import type { Catalog } from '../src/catalog/load.ts';
import type { NumberFormat } from '../src/catalog/schema.ts';
import { estimate } from '../src/core/estimate.ts';
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

export function benchCore(cat: Catalog): { evaluationsPerSecond: number; bestWindowPerSecond: number; sweepEvaluations: number; sweepMs: number; warmSweepMs: number; sweepOrderPerSecond: number } {
  const scenarios = sweepScenarios(cat);
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += estimate(scenarios[i % scenarios.length]).chips; // warm up the JIT
  const t0 = performance.now();
  for (const s of scenarios) sink += estimate(s).chips;
  const sweepMs = performance.now() - t0;
  // the same sweep again, now warm, in catalog order (how the bot sweeps for a digest or chart)
  const t2 = performance.now();
  for (const s of scenarios) sink += estimate(s).chips;
  const warmSweepMs = performance.now() - t2;
  // the rate: five half-second windows over the sweep in a scattered order; this machine is shared, so report the median
  const rates: number[] = [];
  let n = 0;
  for (let w = 0; w < 5; w++) {
    const t1 = performance.now();
    let done = 0;
    while (performance.now() - t1 < 500) {
      for (let i = 0; i < 10_000; i++) sink += estimate(scenarios[(n + i * 7919) % scenarios.length]).chips;
      n += 10_000; done += 10_000;
    }
    rates.push(done / ((performance.now() - t1) / 1000));
  }
  rates.sort((a, b) => a - b);
  if (sink === -1) console.log(sink);
  return { evaluationsPerSecond: Math.round(rates[2]), bestWindowPerSecond: Math.round(rates[4]), sweepEvaluations: scenarios.length, sweepMs: Math.round(sweepMs),
    warmSweepMs: Math.round(warmSweepMs), sweepOrderPerSecond: Math.round(scenarios.length / (warmSweepMs / 1000)) };
}
