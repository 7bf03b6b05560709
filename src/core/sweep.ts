// The one place a deployment configuration becomes an evaluation, and the configurations a sweep tries.
// Frontier, plan and disaggregation all go through evaluateConfig(), which forces a layout on the core's estimate().
import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';
import { estimate } from './estimate.ts';
import { fit } from './fit.ts';
import { layoutCopies } from './deploy.ts';
import { computeFormat, defaultFormats, servedWeights } from './formats.ts';
import { chipDeployment, tensorDegrees, vendorLayout, type Layout, type SplitRule } from './layout.ts';
import type { Bottleneck, Range } from './types.ts';

/** What is served and on which kind of chip; everything a sweep holds fixed. */
export interface Workload {
  model: Model;
  chip: Chip;
  family: Family;
  inputTokens: number;
  outputTokens: number;
  reserveFraction: number;
  /** the serving engine's cap on concurrent sequences per instance (data/serving.json); null where none is published */
  engineMaxBatch: number | null;
}

/** One instance (a replica) laid out on `tensorParallel × pipelineStages` chips; for MoE models the tensorParallel
 *  chips may run attention data-parallel with the experts spread over them. */
export interface InstanceLayout { tensorParallel: number; pipelineStages: number; attentionDataParallel?: boolean; balancedPrefill?: boolean }

/** One configuration of one serving instance. `chips` = tensorParallel × pipelineStages. */
export interface Config { weights: NumberFormat; kv: NumberFormat; layout: InstanceLayout; chips: number; batch: number }

/** How a deployment is laid out (the core's layout; an instance is one replica until the plan counts them). */
export type DeploymentLayout = Layout;

/** Triples ordered by case: [optimistic, expected, pessimistic] (the pessimistic case is slower in every term). */
export type Cases = [number, number, number];

export interface Evaluation {
  config: Config;
  layout: DeploymentLayout;
  /** seconds per decode step at the configuration's batch (the step alone), per case */
  stepSeconds: Cases;
  /** seconds to prefill one prompt on an idle instance, per case; null when the chip's compute is unpublished */
  prefillSeconds: Cases | null;
  /** seconds per decode step at batch 1 (the weight read a chunked prefill shares), per case */
  step1Seconds: Cases;
  bottleneck: Bottleneck;
  /** watts per chip, or null when unpublished */
  powerW: number | null;
  /** the largest batch the instance's memory holds at this context; null when capacity is unpublished */
  maxBatch: number | null;
}

/** Formats each chip is swept over: the format the model is served in on it (servedWeights), its usual serving format,
 *  and the 8- and 16-bit formats it computes natively. */
export function sweepFormats(chip: Chip, only?: NumberFormat, model?: Model): NumberFormat[] {
  if (chip.runs.kind === 'hardwired') return [chip.servingFormat];
  if (only) return [only];
  const out: NumberFormat[] = [servedWeights(chip, model)];
  if (!out.includes(chip.servingFormat)) out.push(chip.servingFormat);
  for (const f of ['fp8', 'int8', 'bf16'] as NumberFormat[]) if (!out.includes(f) && computeFormat(chip, f).native) out.push(f);
  return out;
}

/** How the chip's software splits a model: tensor parallel, its compiler's spatial pipeline, or one card per copy. */
export function splitRule(chip: Chip): SplitRule {
  return chipDeployment(chip).rule;
}

/** Fewest chips that hold the weights and one sequence (the vendor's fast-tier rule where it has one). */
export function minimumChips(w: Workload, weights: NumberFormat, kv: NumberFormat): number | null {
  const f = fit({ model: w.model, chip: w.chip, weights, kv, contextTokens: w.inputTokens + w.outputTokens, batch: 1, chips: 'auto', reserveFraction: w.reserveFraction });
  return f.fits ? f.chips : null;
}

/**
 * Instance layouts to try. Tensor-parallel chips: every legal degree (dividing the attention heads, within the scale-up
 * domain) with the fewest pipeline stages that hold the model, and two and four times as many (room for KV, or a fast
 * tier). Spatial chips (the vendor's compiler splits the model): the fewest chips that fit and a few multiples.
 * Single-card chips: one card.
 */
export function candidateLayouts(w: Workload, weights: NumberFormat, kv: NumberFormat): InstanceLayout[] {
  const n0 = minimumChips(w, weights, kv);
  if (n0 === null) return [];
  const rule = splitRule(w.chip);
  if (rule === 'single') return [{ tensorParallel: 1, pipelineStages: 1 }];
  const cap = w.chip.link.maxChips?.value ?? Infinity;
  const out: InstanceLayout[] = [];
  if (rule === 'spatial') {
    const counts = new Set([1, 1.25, 1.5, 2, 3, 4].map((k) => Math.ceil(n0 * k)).filter((n) => n <= cap));
    for (const n of counts) {
      const l = vendorLayout('spatial', w.model, n, n);
      if (l) out.push({ tensorParallel: l.tensorParallel, pipelineStages: l.pipelineStages });
    }
    return out;
  }
  const layers = w.model.layers;
  for (const t of tensorDegrees(w.model, w.chip, Number.MAX_SAFE_INTEGER)) {
    const p1 = Math.ceil(n0 / t);
    for (const p of new Set([p1, 2 * p1, 4 * p1])) if (p <= layers && t * p <= cap) out.push({ tensorParallel: t, pipelineStages: p });
    // MoE: the same group with attention data-parallel and the experts spread (no KV copies under MLA)
    if (w.model.moe && t > 1 && t >= n0 && t <= cap) out.push({ tensorParallel: t, pipelineStages: 1, attentionDataParallel: true, balancedPrefill: true });
  }
  return out;
}

/** Batches to try on an instance: powers of two up to what its memory holds (and the engine schedules), and that. */
export function candidateBatches(maxBatch: number | null, engineMaxBatch: number | null): number[] {
  if (maxBatch === null) return [1];
  const top = Math.min(maxBatch, engineMaxBatch ?? Infinity);
  if (top < 1) return [];
  const out: number[] = [];
  for (let b = 1; b <= top; b *= 2) out.push(b);
  if (out[out.length - 1] !== top) out.push(top);
  return out;
}

/** Largest batch an instance of `chips` holds at the workload's context (0 when it does not fit; null = unpublished). */
export function instanceMaxBatch(w: Workload, weights: NumberFormat, kv: NumberFormat, chips: number, layout: InstanceLayout = { tensorParallel: 1, pipelineStages: chips }): number | null {
  const f = fit({ model: w.model, chip: w.chip, weights, kv, contextTokens: w.inputTokens + w.outputTokens, batch: 1, chips, reserveFraction: w.reserveFraction,
    ...layoutCopies(w.model, w.chip, weights, layout) });
  if (!f.fits) return 0;
  return f.maxBatchAtContext;
}

const sorted = (r: Range): Cases => [r.low, r.expected, r.high];

/**
 * The core's answer for one configuration (its layout forced, one replica), or null when it does not fit. `step1` is the
 * same instance's batch-1 step when the caller already has it (a sweep evaluates batch 1 first), saving an estimate.
 */
export function evaluateConfig(w: Workload, c: Config, step1Known?: Cases): Evaluation | null {
  const base = { model: w.model, chip: w.chip, family: w.family, weights: c.weights, kv: c.kv, inputTokens: w.inputTokens, outputTokens: w.outputTokens,
    chips: c.chips, reserveFraction: w.reserveFraction, layout: { tensorParallel: c.layout.tensorParallel, pipelineStages: c.layout.pipelineStages, replicas: 1,
      ...(c.layout.attentionDataParallel ? { attentionDataParallel: true } : {}), ...(c.layout.balancedPrefill ? { balancedPrefill: true } : {}) } };
  const e = estimate({ ...base, batch: c.batch });
  if (!e.decode || !e.layout || e.batch < c.batch) return null;
  const step = sorted(e.decode.stepMs).map((x) => x / 1e3) as Cases;
  const idle = e.prefill?.idleTtftMs ?? null;
  const prefill = w.inputTokens === 0 ? [0, 0, 0] as Cases : idle ? sorted(idle).map((x) => x / 1e3) as Cases : null;
  let step1 = c.batch === 1 ? step : step1Known ?? step;
  if (c.batch > 1 && !step1Known) {
    const one = estimate({ ...base, batch: 1 });
    if (one.decode) step1 = sorted(one.decode.stepMs).map((x) => x / 1e3) as Cases;
  }
  return {
    config: c, layout: e.layout,
    stepSeconds: step, prefillSeconds: prefill, step1Seconds: step1, bottleneck: e.decode.bottleneck,
    powerW: w.chip.powerW?.value ?? null, maxBatch: e.fit.maxBatchAtContext,
  };
}

/** Every instance configuration of a chip the sweep would try (formats × layouts, with their batches), lazily. */
export function* configurations(w: Workload, only?: NumberFormat): Generator<{ weights: NumberFormat; kv: NumberFormat; layout: InstanceLayout; chips: number; batches: number[] }> {
  for (const weights of sweepFormats(w.chip, only, w.model)) {
    const kv = defaultFormats(w.chip, weights).kv;
    for (const layout of candidateLayouts(w, weights, kv)) {
      const chips = layout.tensorParallel * layout.pipelineStages;
      const batches = candidateBatches(instanceMaxBatch(w, weights, kv, chips, layout), w.engineMaxBatch);
      if (batches.length) yield { weights, kv, layout, chips, batches };
    }
  }
}
