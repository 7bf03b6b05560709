// The one place a deployment configuration becomes an evaluation, and the configurations a sweep tries.
// Frontier, plan and disaggregation all go through evaluateConfig(); when the core states its own layouts
// (src/core/layout.ts), candidateChipCounts() and evaluateConfig() are what change.
import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';
import { estimate } from './estimate.ts';
import { fit } from './fit.ts';
import { computeFormat, defaultFormats } from './formats.ts';
import type { Bottleneck, Range } from './types.ts';

/** What is served and on which kind of chip; everything a sweep holds fixed. */
export interface Workload {
  model: Model;
  chip: Chip;
  family: Family;
  inputTokens: number;
  outputTokens: number;
  reserveFraction: number;
}

/** One configuration of one serving instance (a replica). */
export interface Config { weights: NumberFormat; kv: NumberFormat; chips: number; batch: number }

/** How one instance is laid out. Replicas are counted by the plan, not here (an instance is one replica). */
export interface DeploymentLayout { tensorParallel: number; pipelineStages: number; replicas: number; expertParallel: number }

/** Triples ordered by case: [optimistic, expected, pessimistic] (the pessimistic case is slower in every term). */
export type Cases = [number, number, number];

export interface Evaluation {
  config: Config;
  layout: DeploymentLayout;
  /** seconds per decode step at the configuration's batch, per case */
  stepSeconds: Cases;
  /** seconds to prefill one prompt on the instance (alone), per case; null when the chip's compute is unpublished */
  prefillSeconds: Cases | null;
  /** seconds per decode step at batch 1 (the weight read a chunked prefill shares), per case */
  step1Seconds: Cases;
  bottleneck: Bottleneck;
  /** watts per chip, or null when unpublished */
  powerW: number | null;
  /** the largest batch the instance's memory holds at this context; null when capacity is unpublished */
  maxBatch: number | null;
}

/** Formats each chip is swept over: its usual serving format and the 8- and 16-bit formats it computes natively. */
export function sweepFormats(chip: Chip, only?: NumberFormat): NumberFormat[] {
  if (chip.runs.kind === 'hardwired') return [chip.servingFormat];
  if (only) return [only];
  const out: NumberFormat[] = [chip.servingFormat];
  for (const f of ['fp8', 'int8', 'bf16'] as NumberFormat[]) if (!out.includes(f) && computeFormat(chip, f).native) out.push(f);
  return out;
}

/** An assumed engine limit on concurrent sequences per instance (not a sourced figure; answers state it). */
export const ENGINE_MAX_BATCH = 1024;

/** Fewest chips that hold the weights and one sequence (the vendor's fast-tier rule where it has one). */
export function minimumChips(w: Workload, weights: NumberFormat, kv: NumberFormat): number | null {
  const f = fit({ model: w.model, chip: w.chip, weights, kv, contextTokens: w.inputTokens + w.outputTokens, batch: 1, chips: 'auto', reserveFraction: w.reserveFraction });
  return f.fits ? f.chips : null;
}

/**
 * Chip counts per instance to try: the fewest that fit, then larger instances (more memory for KV, wider tensor
 * parallelism): powers of two up to the scale-up domain, and a few multiples of the minimum beyond it.
 */
export function candidateChipCounts(w: Workload, weights: NumberFormat, kv: NumberFormat): number[] {
  const n0 = minimumChips(w, weights, kv);
  if (n0 === null) return [];
  const cap = w.chip.link.maxChips?.value ?? Infinity;
  if (w.chip.runs.kind === 'hardwired') return [n0];
  const domain = Math.max(1, w.chip.link.domainSize?.value ?? 1);
  const out = new Set<number>([n0]);
  for (let p = 1; p <= domain; p *= 2) if (p > n0) out.add(p);
  if (domain > n0) out.add(domain);
  for (const k of [1.25, 1.5, 2, 3, 4]) out.add(Math.ceil(n0 * k));
  return [...out].filter((n) => n <= cap).sort((a, b) => a - b);
}

/** Batches to try on an instance: powers of two up to what its memory holds, and that maximum itself. */
export function candidateBatches(maxBatch: number | null): number[] {
  if (maxBatch === null) return [1];
  const top = Math.min(maxBatch, ENGINE_MAX_BATCH);
  const out: number[] = [];
  for (let b = 1; b <= top; b *= 2) out.push(b);
  if (out[out.length - 1] !== top && top >= 1) out.push(top);
  return out;
}

/** Largest batch an instance of `chips` holds at the workload's context (null when capacity is unpublished). */
export function instanceMaxBatch(w: Workload, weights: NumberFormat, kv: NumberFormat, chips: number): number | null {
  const f = fit({ model: w.model, chip: w.chip, weights, kv, contextTokens: w.inputTokens + w.outputTokens, batch: 1, chips, reserveFraction: w.reserveFraction });
  if (!f.fits) return 0;
  return f.maxBatchAtContext;
}

const sorted = (r: Range): Cases => [r.low, r.expected, r.high];

/**
 * The core's answer for one configuration, or null when it does not fit. `step1` is the same instance's batch-1 step
 * when the caller already has it (a sweep evaluates batch 1 first), saving a second estimate.
 */
export function evaluateConfig(w: Workload, c: Config, step1Known?: Cases): Evaluation | null {
  const e = estimate({ model: w.model, chip: w.chip, family: w.family, weights: c.weights, kv: c.kv, inputTokens: w.inputTokens, outputTokens: w.outputTokens, batch: c.batch, chips: c.chips, reserveFraction: w.reserveFraction });
  if (!e.fit.fits || !e.decode || !e.layout) return null;
  const step = sorted(e.decode.msPerToken).map((x) => x / 1e3) as Cases;
  // TTFT in the core is one prompt's prefill plus a first decode step at the batch; take the step back out
  const ttft = e.prefill?.ttftMs && w.inputTokens > 0 ? sorted(e.prefill.ttftMs) : null;
  const prefill = ttft ? ttft.map((t, i) => Math.max(0, t / 1e3 - step[i])) as Cases : w.inputTokens === 0 ? [0, 0, 0] as Cases : null;
  let step1 = c.batch === 1 ? step : step1Known ?? step;
  if (c.batch > 1 && !step1Known) {
    const one = estimate({ model: w.model, chip: w.chip, family: w.family, weights: c.weights, kv: c.kv, inputTokens: w.inputTokens, outputTokens: w.outputTokens, batch: 1, chips: c.chips, reserveFraction: w.reserveFraction });
    if (one.decode) step1 = sorted(one.decode.msPerToken).map((x) => x / 1e3) as Cases;
  }
  return {
    config: c,
    layout: { tensorParallel: e.layout.tensorParallel, pipelineStages: e.layout.pipelineStages, replicas: 1, expertParallel: 1 },
    stepSeconds: step, prefillSeconds: prefill, step1Seconds: step1, bottleneck: e.decode.bottleneck,
    powerW: w.chip.powerW?.value ?? null, maxBatch: e.fit.maxBatchAtContext,
  };
}

/** Every configuration of a chip the sweep would try (formats × chip counts × batches), lazily. */
export function* configurations(w: Workload, only?: NumberFormat): Generator<{ weights: NumberFormat; kv: NumberFormat; chips: number; batches: number[] }> {
  for (const weights of sweepFormats(w.chip, only)) {
    const kv = defaultFormats(w.chip, weights).kv;
    for (const chips of candidateChipCounts(w, weights, kv)) {
      const batches = candidateBatches(instanceMaxBatch(w, weights, kv, chips));
      if (batches.length && batches[0] >= 1) yield { weights, kv, chips, batches };
    }
  }
}
