// Step arithmetic: the time of one decode step or one prefill on a laid-out deployment, as a sum of kernel rooflines
// (weight GEMMs, attention over the KV cache, MoE expert GEMMs with the most loaded device setting the pace) plus
// collectives, a per-layer fixed time and pipeline hops. Worked out once per layout ("prepared"), timed per case.
import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';
import { paramCounts, prefillFlops, stepFacts } from './architecture.ts';
import type { FitResult } from './fit.ts';
import { computeFormat, kvBytesPerElement } from './formats.ts';
import type { Layout } from './layout.ts';
import type { Bottleneck, Case } from './types.ts';

const ACTIVATION_BYTES = 2; // activations cross links in 16-bit

/** Efficiency constants for one case, resolved to physical rates. */
export interface CaseConstants {
  bwEff: number; kvBwEff: number;
  /** achievable dense FLOP/s per chip: GEMMs in decode, MoE expert GEMMs, prefill */
  flops: number; moeFlops: number; prefillFlops: number;
  /** attention maths runs in the KV cache's format (FP8 or 16-bit), not the weights' */
  attnFlops: number; attnPrefillFlops: number;
  /** seconds: fixed time per layer per step, per pipeline hop, per collective */
  floor: number; hop: number; collective: number;
}

export interface Prepared {
  model: Model; chip: Chip; layout: Layout;
  /** published dense TFLOPS per chip in the format it computes in (null: unpublished) */
  tflopsPublished: number | null;
  dequant: boolean;
  layers: number;
  /** non-expert weight bytes one chip of the tensor-parallel group reads per step, summed over the pipeline */
  gemmBytes: number;
  gemmFlopsPerToken: number;
  /** KV bytes and attention FLOPs per sequence per (layer-weighted) context token, per chip */
  kvBytesPerUnit: number;
  attnFlopsPerUnit: number;
  stateBytes: number;
  fullLayers: number; localLayers: number; window: number;
  moeLayers: number; experts: number; active: number;
  /** bytes and FLOPs per token of one routed expert in one layer (whole expert, before any split) */
  expertBytes: number; expertFlops: number;
  /** split applied to expert work when experts are not spread by expert parallelism */
  expertSplit: number;
  weightSecPerByte: number; kvSecPerByte: number;
  linkSecPerByte: number;
  allReduces: number; allReduceFactor: number; allToAlls: number;
  activationBytes: number;
  cases: Record<Case, CaseConstants>;
}

export interface StepTerms {
  memory: number; compute: number; interconnect: number; latencyFloor: number;
  seconds: number; bottleneck: Bottleneck;
}

interface FormatFacts { dequant: boolean; tflops: number | null; cases: Record<Case, CaseConstants> }
const factsCache = new WeakMap<Family, WeakMap<Chip, Map<string, FormatFacts>>>();

function formatFacts(family: Family, chip: Chip, weightsFormat: NumberFormat, kvFormat: NumberFormat): FormatFacts {
  let byChip = factsCache.get(family);
  if (!byChip) { byChip = new WeakMap(); factsCache.set(family, byChip); }
  let byFormat = byChip.get(chip);
  if (!byFormat) { byFormat = new Map(); byChip.set(chip, byFormat); }
  const key = `${weightsFormat}/${kvFormat}`;
  let f = byFormat.get(key);
  if (!f) {
    const dequant = chip.runs.kind !== 'hardwired' && family.dequantBandwidthEfficiency[weightsFormat] !== undefined;
    // weight-only quantisation: weights are widened on the fly and the maths runs in 16-bit
    const tflops = computeFormat(chip, dequant ? 'bf16' : weightsFormat).tflops;
    const measured = chip.linkFacts?.collectiveLatencyUs ?? null;
    // attention reads the KV cache and computes in its format, at least 8-bit
    const attnTflops = computeFormat(chip, kvFormat === 'fp4' || kvFormat === 'int4' || kvFormat === 'int3' || kvFormat === 'fp6' ? 'fp8' : kvFormat).tflops ?? tflops;
    const make = (c: Case) => resolveConstants(family, dequant ? weightsFormat : null, tflops, c, measured, attnTflops);
    f = { dequant, tflops, cases: { low: make('low'), expected: make('expected'), high: make('high') } };
    byFormat.set(key, f);
  }
  return f;
}

/** The pessimistic case takes the low efficiencies and the high latencies. */
function resolveConstants(f: Family, dequantFormat: NumberFormat | null, published: number | null, c: Case, collectiveUs: number | null, attnPublished: number | null): CaseConstants {
  const flip: Case = c === 'low' ? 'high' : c === 'high' ? 'low' : 'expected';
  const bw = (dequantFormat && f.dequantBandwidthEfficiency[dequantFormat]) || f.bandwidthEfficiency;
  const peak = published !== null ? published * 1e12 : f.impliedTflops ? f.impliedTflops[c] * 1e12 : 0;
  const eff = (k: { low: number; expected: number; high: number } | undefined) => (published !== null ? (k ?? f.computeEfficiency)[c] : 1);
  return {
    bwEff: bw[c], kvBwEff: f.bandwidthEfficiency[c],
    flops: peak * eff(f.computeEfficiency), moeFlops: peak * eff(f.moeEfficiency), prefillFlops: peak * eff(f.prefillEfficiency),
    attnFlops: (attnPublished !== null && published !== null ? attnPublished * 1e12 : peak) * eff(f.computeEfficiency),
    attnPrefillFlops: (attnPublished !== null && published !== null ? attnPublished * 1e12 : peak) * eff(f.prefillEfficiency),
    floor: f.layerFloorUs[flip] * 1e-6, hop: f.hopLatencyUs[flip] * 1e-6,     // a measured latency for the chip's interconnect wins; the family's stated assumption covers links without one
    collective: (collectiveUs !== null ? (flip === 'high' ? Math.max(collectiveUs, f.collectiveLatencyUs?.high ?? collectiveUs) : collectiveUs) : (f.collectiveLatencyUs?.[flip] ?? 0)) * 1e-6,
  };
}

/** Seconds per byte when bytes spread over tiers are read in parallel: the slowest tier's share sets the pace. */
function secPerByte(fit: FitResult, pick: 'weightsBytes' | 'kvBytes'): number {
  let total = 0;
  for (const t of fit.tiers) total += t[pick];
  let worst = 0;
  for (const t of fit.tiers) {
    const bw = t.tier.bandwidthGBs ? t.tier.bandwidthGBs.value * 1e9 : 0;
    if (bw <= 0) continue;
    const share = total > 0 ? t[pick] / total : t === fit.tiers[0] ? 1 : 0;
    if (share / bw > worst) worst = share / bw;
  }
  return worst;
}

export function prepare(model: Model, chip: Chip, family: Family, weightsFormat: NumberFormat, kvFormat: NumberFormat, layout: Layout, fit: FitResult): Prepared {
  const ff = formatFacts(family, chip, weightsFormat, kvFormat);
  const x = stepFacts(model);
  const p = paramCounts(model);
  const t = layout.tensorParallel;
  const perParam = p.total > 0 ? fit.weightsBytes / p.total : 0;
  const kvElem = kvBytesPerElement(kvFormat);
  // GQA KV heads split across the tensor-parallel group (replicated beyond the KV-head count); MLA's latent is shared
  const kvSplit = model.attention.kind === 'mla' ? 1 : Math.max(1, Math.min(t, model.kvHeads || t));
  const moe = model.moe;
  const ep = layout.expertParallel;
  const linkBs = (chip.link.bandwidthGBs?.value ?? 0) * 1e9;
  const moeLayers = moe ? moe.moeLayers : 0;
  return {
    model, chip, layout, tflopsPublished: ff.tflops, dequant: ff.dequant, layers: model.layers,
    gemmBytes: (p.nonExpert - p.embedding) * perParam / t,
    gemmFlopsPerToken: (x.baseFlops - 2 * x.expertMatmulActive) / t,
    kvBytesPerUnit: kvElem * x.kvElemsPerLayer / kvSplit,
    attnFlopsPerUnit: x.attnCoef / t,
    stateBytes: kvElem * x.stateElems / t,
    fullLayers: x.fullLayers, localLayers: x.localLayers, window: x.window,
    moeLayers, experts: moe ? moe.experts : 0, active: moe ? moe.activeExperts : 0,
    expertBytes: p.expertPerLayerEach * perParam,
    expertFlops: moe ? (2 * x.expertMatmulActive) / (moeLayers * moe.activeExperts) : 0,
    expertSplit: ep > 1 ? 1 : t,
    weightSecPerByte: secPerByte(fit, 'weightsBytes'), kvSecPerByte: secPerByte(fit, 'kvBytes'),
    linkSecPerByte: linkBs > 0 ? 1 / linkBs : 0,
    allReduces: t > 1 ? 2 * (model.layers - moeLayers) + (ep > 1 ? moeLayers : 2 * moeLayers) : 0,
    allReduceFactor: t > 1 ? (2 * (t - 1)) / t : 0,
    allToAlls: ep > 1 ? 2 * moeLayers : 0,
    activationBytes: model.hiddenSize * ACTIVATION_BYTES,
    cases: ff.cases,
  };
}

/** Distinct routed experts a batch touches in one MoE layer, assuming uniform routing. */
export function expertsTouched(experts: number, active: number, tokens: number): number {
  return experts * (1 - Math.pow(1 - active / experts, tokens));
}

/** The most loaded of `devices` when `mean` items land on each at random: mean + √(2·mean·ln devices). */
function mostLoaded(mean: number, devices: number): number {
  return devices > 1 ? mean + Math.sqrt(2 * mean * Math.log(devices)) : mean;
}

// Scratch terms for the expected case; the hot path (low/high) only needs the total.
const scratch = { memory: 0, compute: 0, interconnect: 0, latencyFloor: 0 };

/**
 * One pass of `tokens` tokens (from `seqs` sequences) through the model on one replica, under one case's constants.
 * `ctxUnits` is the layer-weighted context each sequence attends to; `attnFlops` the attention FLOPs of the pass;
 * `rate` picks decode or prefill compute.
 */
function pass(p: Prepared, k: CaseConstants, seqs: number, tokens: number, ctxUnits: number, attnFlops: number, prefill: boolean): number {
  const flops = prefill ? k.prefillFlops : k.flops;
  let memory = 0, compute = 0;
  // weight GEMMs
  const gB = p.gemmBytes * p.weightSecPerByte / k.bwEff;
  const gF = flops > 0 ? tokens * p.gemmFlopsPerToken / flops : 0;
  if (gB >= gF) memory += gB; else compute += gF;
  // attention over the KV cache (decode reads it; prefill computes it)
  const aB = prefill ? 0 : seqs * (ctxUnits * p.kvBytesPerUnit + p.stateBytes) * p.kvSecPerByte / k.kvBwEff;
  const attnRate = prefill ? k.attnPrefillFlops : k.attnFlops;
  const aF = attnRate > 0 ? attnFlops / attnRate : 0;
  if (aB >= aF) memory += aB; else compute += aF;
  // routed experts: the most loaded device sets the pace
  let interconnect = 0;
  if (p.moeLayers > 0) {
    const ep = p.layout.expertParallel;
    const touched = mostLoaded(expertsTouched(p.experts, p.active, tokens) / ep, ep);
    const perDevice = touched < p.experts / ep ? touched : p.experts / ep;
    const routed = mostLoaded((tokens * p.active) / ep, ep);
    const mB = p.moeLayers * perDevice * p.expertBytes / p.expertSplit * p.weightSecPerByte / k.bwEff;
    const moeRate = prefill ? k.prefillFlops : k.moeFlops;
    const mF = moeRate > 0 ? p.moeLayers * routed * p.expertFlops / p.expertSplit / moeRate : 0;
    if (mB >= mF) memory += mB; else compute += mF;
    if (p.allToAlls > 0) interconnect += p.allToAlls * (((ep - 1) / ep) * (tokens * p.active * p.activationBytes / ep) * p.linkSecPerByte + k.collective);
  }
  const msg = tokens * p.activationBytes;
  interconnect += p.allReduces * (p.allReduceFactor * msg * p.linkSecPerByte + k.collective);
  interconnect += (p.layout.pipelineStages - 1) * (k.hop + msg * p.linkSecPerByte);
  const latencyFloor = p.layers * k.floor;
  scratch.memory = memory; scratch.compute = compute; scratch.interconnect = interconnect; scratch.latencyFloor = latencyFloor;
  return memory + compute + interconnect + latencyFloor;
}

function contextUnits(p: Prepared, context: number): number {
  const s = context > 0 ? context : 0;
  return p.fullLayers * s + p.localLayers * (s < p.window ? s : p.window);
}

/**
 * Seconds for one decode step of `batch` sequences on one replica at `context` tokens each. A pipeline of P stages
 * keeps min(P, batch) micro-batches in flight, so each sequence advances once per traversal of a micro-batch.
 * `tokensPerSequence` > 1 verifies several speculated tokens in one step.
 */
export function decodeSeconds(p: Prepared, batch: number, context: number, c: Case, tokensPerSequence = 1): number {
  const k = c === 'expected' ? p.cases.expected : c === 'low' ? p.cases.low : p.cases.high;
  const P = p.layout.pipelineStages;
  const mb = Math.ceil(batch / (batch < P ? batch : P));
  const units = contextUnits(p, context);
  const tokens = mb * tokensPerSequence;
  return pass(p, k, mb, tokens, units, tokens * units * p.attnFlopsPerUnit, false);
}

/** Seconds to prefill `batch` prompts of `promptTokens` each on one replica. NaN when the chip's compute is unknown.
 *  A pipeline of P stages takes the tokens in P chunks, so stages work at once: (2P − 1) chunk-passes of 1/P each. */
export function prefillSeconds(p: Prepared, batch: number, promptTokens: number, c: Case): number {
  const k = c === 'expected' ? p.cases.expected : c === 'low' ? p.cases.low : p.cases.high;
  if (k.prefillFlops <= 0) return NaN;
  const P = p.layout.pipelineStages;
  const tokens = batch * promptTokens;
  const attn = batch * (prefillFlops(p.model, promptTokens) - promptTokens * stepFacts(p.model).baseFlops) / p.layout.tensorParallel;
  const chunks = P > 1 && tokens >= P ? P : 1;
  const one = pass(p, k, batch / chunks, tokens / chunks, 0, attn > 0 ? attn / chunks : 0, true);
  return chunks > 1 ? one * (2 * chunks - 1) / chunks : one;
}

function terms(seconds: number): StepTerms {
  const { memory, compute, interconnect, latencyFloor } = scratch;
  let bottleneck: Bottleneck = memory >= compute ? 'memory bandwidth' : 'compute';
  let top = memory >= compute ? memory : compute;
  if (interconnect > top) { bottleneck = 'interconnect'; top = interconnect; }
  if (latencyFloor > top) bottleneck = 'latency floor';
  return { memory, compute, interconnect, latencyFloor, seconds, bottleneck };
}

export function decodeTerms(p: Prepared, batch: number, context: number, c: Case, tokensPerSequence = 1): StepTerms {
  return terms(decodeSeconds(p, batch, context, c, tokensPerSequence));
}

export function prefillTerms(p: Prepared, batch: number, promptTokens: number, c: Case): StepTerms | null {
  const s = prefillSeconds(p, batch, promptTokens, c);
  return Number.isNaN(s) ? null : terms(s);
}
