// Time per decode step and time to first token, term by term, for one choice of efficiency constants.
import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';
import { decodeFlopsPerToken, kvBytesForContext, paramCounts, prefillFlops, stateBytesPerSequence } from './architecture.ts';
import { computeFormat, kvBytesPerElement } from './formats.ts';
import type { FitResult } from './fit.ts';
import type { Bottleneck, Case } from './types.ts';

const ACTIVATION_BYTES = 2; // activations cross links in 16-bit

/** How a deployment is laid out: tensor parallel inside a scale-up domain, pipeline stages across domains. */
export interface Layout {
  model: Model;
  chip: Chip;
  family: Family;
  weightsFormat: NumberFormat;
  /** bytes per KV element */
  kvElement: number;
  fit: FitResult;
  tensorParallel: number;
  pipelineStages: number;
  /** published dense TFLOPS per chip in the format it computes in, or null */
  tflopsPublished: number | null;
  /** bytes per step of weights that are read whatever the batch (non-expert, excluding the input embedding lookup) */
  fixedWeightBytes: number;
  /** bytes of one routed expert in one layer */
  expertBytes: number;
  /** share of weights and of KV in each tier, with that tier's bandwidth */
  /** seconds per byte of weights (and of KV) read on one chip at full efficiency, weighted by the tiers they live in */
  weightSecPerByte: number;
  kvSecPerByte: number;
  /** link seconds per token moved through the step (all-reduces and pipeline hand-offs), plus the hop count */
  linkSecPerToken: number;
  hops: number;
  /** weight-only quantisation: the family serves this format by widening weights on the fly */
  dequant: boolean;
  cases: Record<Case, CaseConstants>;
}

/** Efficiency constants for one case, resolved once per layout. */
interface CaseConstants { bwEff: number; kvBwEff: number; flops: number; floor: number; hop: number }

/** What a layout needs from (family, chip, weight format): worked out once, since a sweep asks again and again. */
interface FormatFacts { dequant: boolean; tflops: number | null; cases: Record<Case, CaseConstants>; domain: number; linkBs: number }
const factsCache = new WeakMap<Family, WeakMap<Chip, Map<NumberFormat, FormatFacts>>>();

function formatFacts(family: Family, chip: Chip, weightsFormat: NumberFormat): FormatFacts {
  let byChip = factsCache.get(family);
  if (!byChip) { byChip = new WeakMap(); factsCache.set(family, byChip); }
  let byFormat = byChip.get(chip);
  if (!byFormat) { byFormat = new Map(); byChip.set(chip, byFormat); }
  let f = byFormat.get(weightsFormat);
  if (!f) {
    const dequant = chip.runs.kind !== 'hardwired' && family.dequantBandwidthEfficiency[weightsFormat] !== undefined;
    // weight-only quantisation: weights are widened on the fly and the maths runs in 16-bit
    const tflops = computeFormat(chip, dequant ? 'bf16' : weightsFormat).tflops;
    f = {
      dequant, tflops,
      cases: { low: resolveConstants(family, dequant ? weightsFormat : null, tflops, 'low'), expected: resolveConstants(family, dequant ? weightsFormat : null, tflops, 'expected'), high: resolveConstants(family, dequant ? weightsFormat : null, tflops, 'high') },
      domain: Math.max(1, chip.link.domainSize?.value ?? 1),
      linkBs: (chip.link.bandwidthGBs?.value ?? 0) * 1e9,
    };
    byFormat.set(weightsFormat, f);
  }
  return f;
}

export function layout(model: Model, chip: Chip, family: Family, weightsFormat: NumberFormat, kvFormat: NumberFormat, fit: FitResult): Layout {
  const ff = formatFacts(family, chip, weightsFormat);
  const tensorParallel = Math.min(fit.chips, ff.domain);
  const pipelineStages = Math.ceil(fit.chips / tensorParallel);
  const p = paramCounts(model);
  const perParam = p.total > 0 ? fit.weightsBytes / p.total : 0;
  // seconds per byte at full efficiency on one chip, weighted by where the bytes live (tiers of unknown bandwidth add nothing)
  let weightTotal = 0, kvTotal = 0;
  for (const t of fit.tiers) { weightTotal += t.weightsBytes; kvTotal += t.kvBytes; }
  let weightSecPerByte = 0, kvSecPerByte = 0;
  for (const t of fit.tiers) {
    const bw = t.tier.bandwidthGBs ? t.tier.bandwidthGBs.value * 1e9 : 0;
    if (bw <= 0) continue;
    if (t.weightsBytes > 0) weightSecPerByte += t.weightsBytes / (weightTotal || 1) / bw;
    if (kvTotal > 0 ? t.kvBytes > 0 : t === fit.tiers[0]) kvSecPerByte += (kvTotal > 0 ? t.kvBytes / kvTotal : 1) / bw;
  }
  // links: two ring all-reduces per layer inside the tensor-parallel group, one activation hand-off per pipeline hop
  const activationBytes = model.hiddenSize * ACTIVATION_BYTES;
  const allReduceSecPerToken = tensorParallel > 1 && ff.linkBs > 0
    ? model.layers * 2 * ((2 * (tensorParallel - 1)) / tensorParallel) * (activationBytes / tensorParallel) / ff.linkBs : 0;
  const hopSecPerToken = pipelineStages > 1 && ff.linkBs > 0 ? (pipelineStages - 1) * activationBytes / ff.linkBs : 0;
  const l: Layout = {
    model, chip, family, weightsFormat, kvElement: kvBytesPerElement(kvFormat), fit, tensorParallel, pipelineStages,
    tflopsPublished: ff.tflops,
    fixedWeightBytes: (p.nonExpert - p.embedding) * perParam,
    expertBytes: p.expertPerLayerEach * perParam,
    weightSecPerByte, kvSecPerByte, linkSecPerToken: allReduceSecPerToken + hopSecPerToken, hops: pipelineStages - 1,
    dequant: ff.dequant,
    cases: ff.cases,
  };
  return l;
}

export interface StepTerms {
  memory: number;
  compute: number;
  interconnect: number;
  latencyFloor: number;
  seconds: number;
  bottleneck: Bottleneck;
}

/** Pessimistic case takes the low efficiencies and the high latencies. */
function resolveConstants(f: Family, dequantFormat: NumberFormat | null, published: number | null, c: Case): CaseConstants {
  const flip: Case = c === 'low' ? 'high' : c === 'high' ? 'low' : 'expected';
  const bwConst = (dequantFormat && f.dequantBandwidthEfficiency[dequantFormat]) || f.bandwidthEfficiency;
  const implied = f.impliedTflops;
  return {
    bwEff: bwConst[c],
    kvBwEff: f.bandwidthEfficiency[c],
    flops: (published ?? (implied ? implied[c] : 0)) * 1e12 * (published !== null ? f.computeEfficiency[c] : 1),
    floor: f.layerFloorUs[flip] * 1e-6,
    hop: f.hopLatencyUs[flip] * 1e-6,
  };
}

/** Distinct routed experts a batch touches in one MoE layer, assuming uniform routing. */
export function expertsTouched(experts: number, active: number, batch: number): number {
  return experts * (1 - Math.pow(1 - active / experts, batch));
}

function memoryTime(l: Layout, w: Work, k: CaseConstants): number {
  return (w.weightBytes * l.weightSecPerByte / k.bwEff + w.kvBytes * l.kvSecPerByte / k.kvBwEff) / l.tensorParallel;
}

function linkTime(l: Layout, tokens: number, k: CaseConstants): number {
  return tokens * l.linkSecPerToken + l.hops * k.hop;
}

function finish(memory: number, compute: number, interconnect: number, latencyFloor: number): StepTerms {
  const seconds = Math.max(memory, compute) + interconnect + latencyFloor;
  let bottleneck: Bottleneck = memory >= compute ? 'memory bandwidth' : 'compute';
  let top = Math.max(memory, compute);
  if (interconnect > top) { bottleneck = 'interconnect'; top = interconnect; }
  if (latencyFloor > top) bottleneck = 'latency floor';
  return { memory, compute, interconnect, latencyFloor, seconds, bottleneck };
}

/** What a step moves and computes, independent of the efficiency constants: worked out once, timed for each case. */
export interface Work { weightBytes: number; kvBytes: number; flops: number; tokens: number }

/**
 * One decode step for `batch` sequences at `context` tokens each. The pipeline is not micro-batched, so a token
 * passes every stage in turn: time is bytes and FLOPs over the tensor-parallel width, not over all chips.
 * `tokensPerSequence` > 1 verifies several speculated tokens in one step (weights and KV are read once).
 */
export function decodeWork(l: Layout, batch: number, context: number, tokensPerSequence = 1): Work {
  const m = l.model;
  const tokens = batch * tokensPerSequence;
  const touched = m.moe ? m.moe.moeLayers * expertsTouched(m.moe.experts, m.moe.activeExperts, tokens) * l.expertBytes : 0;
  return {
    weightBytes: l.fixedWeightBytes + touched,
    kvBytes: batch * (kvBytesForContext(m, l.kvElement, context) + stateBytesPerSequence(m, l.kvElement)),
    flops: tokens * decodeFlopsPerToken(m, context),
    tokens,
  };
}

/** Prefill of `batch` prompts of `promptTokens` each, processed together (weights read once, KV written). */
export function prefillWork(l: Layout, batch: number, promptTokens: number): Work {
  const m = l.model;
  const tokens = batch * promptTokens;
  const touched = m.moe ? m.moe.moeLayers * expertsTouched(m.moe.experts, m.moe.activeExperts, tokens) * l.expertBytes : 0;
  return { weightBytes: l.fixedWeightBytes + touched, kvBytes: 0, flops: batch * prefillFlops(m, promptTokens), tokens };
}

/** Time for some work under one case's constants, term by term. Null when the work needs compute and the chip's is unknown. */
export function timeFor(l: Layout, w: Work, c: Case, needsCompute = false): StepTerms | null {
  const k = c === 'expected' ? l.cases.expected : c === 'low' ? l.cases.low : l.cases.high;
  if (needsCompute && k.flops <= 0) return null;
  const memory = memoryTime(l, w, k);
  const compute = k.flops > 0 ? w.flops / (l.tensorParallel * k.flops) : 0;
  return finish(memory, compute, linkTime(l, w.tokens, k), l.model.layers * k.floor);
}

/** The same total as timeFor(…).seconds without building the terms (the sweep's hot path); NaN when compute is needed and unknown. */
export function secondsFor(l: Layout, w: Work, c: Case, needsCompute = false): number {
  const k = c === 'expected' ? l.cases.expected : c === 'low' ? l.cases.low : l.cases.high;
  if (needsCompute && k.flops <= 0) return NaN;
  const memory = memoryTime(l, w, k);
  const compute = k.flops > 0 ? w.flops / (l.tensorParallel * k.flops) : 0;
  return (memory > compute ? memory : compute) + linkTime(l, w.tokens, k) + l.model.layers * k.floor;
}

export function decodeStep(l: Layout, batch: number, context: number, c: Case, tokensPerSequence = 1): StepTerms {
  return timeFor(l, decodeWork(l, batch, context, tokensPerSequence), c)!;
}
