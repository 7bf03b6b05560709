// Step arithmetic: the time of one decode step or one prefill on a laid-out deployment, as a sum of kernel rooflines
// (weight GEMMs, attention over the KV cache, MoE expert GEMMs with the most loaded device setting the pace, the
// memory-bound kernels between them that stream activations) plus collectives, a per-layer fixed time and pipeline hops.
// Worked out once per layout ("prepared"), timed per case.
import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';
import { paramCounts, prefillFlops, stepFacts, type ElementwiseBytes } from './architecture.ts';
import { nonExpertBytes, type FitResult } from './fit.ts';
import { attentionKeptWide, blockScaledOutsideTensorCores, expertsOnly, sustainedTflops, kvBytesPerElement, weightBytesPerParam, weightOnly } from './formats.ts';
import type { Layout } from './layout.ts';
import type { Bottleneck, Case } from './types.ts';

const ACTIVATION_BYTES = 2; // activations cross links in 16-bit

/** Efficiency constants for one case, resolved to physical rates. */
export interface CaseConstants {
  bwEff: number; kvBwEff: number;
  /** achievable dense FLOP/s per chip: GEMMs in decode, MoE expert GEMMs, prefill */
  flops: number; moeFlops: number; prefillFlops: number;
  /** decode attention runs in the KV cache's format (FP8 or 16-bit), not the weights'; a prompt's attention in 16-bit */
  attnFlops: number; attnPrefillFlops: number;
  /** weight-only formats: the share of the 16-bit matmul rate left after converting the weights (1 otherwise) */
  dequantMath: number;
  /** block-scaled weights on tensor cores that do not apply the scales: the share of the matmul rate left (1 otherwise) */
  blockScale: number;
  /** seconds: fixed time per layer per step, per pipeline hop, per collective */
  floor: number; hop: number; collective: number;
  /** share of a kernel's shorter side (memory or compute) that does not overlap the longer: 0 = a perfect roofline */
  overlap: number;
}

export interface Prepared {
  model: Model; chip: Chip; layout: Layout;
  /** the layers' fixed time in dense-layer equivalents (MLA and expert blocks run more operations per layer) */
  fixedTimeLayers: number;
  /** dense TFLOPS per chip sustained in large matmuls in the format it computes in (null: peak unpublished) */
  tflopsSustained: number | null;
  dequant: boolean;
  /** the model's released block scales are applied outside the tensor cores (see blockScaledOutsideTensorCores) */
  blockScaled: boolean;
  layers: number;
  /** non-expert weight bytes one chip of the tensor-parallel group reads per step, summed over the pipeline */
  gemmBytes: number;
  /** the non-expert weights are 16-bit while the experts are dequantised (gpt-oss on Hopper): read at the plain rate */
  gemmPlain: boolean;
  gemmFlopsPerToken: number;
  /** KV bytes and attention FLOPs per sequence per (layer-weighted) context token, per chip */
  kvBytesPerUnit: number;
  attnFlopsPerUnit: number;
  stateBytes: number;
  fullLayers: number; localLayers: number; window: number;
  /** local layers attend within fixed chunks (Llama 4) rather than a sliding window */
  chunked: boolean;
  moeLayers: number; experts: number; active: number;
  /** bytes and FLOPs per token of one routed expert in one layer (whole expert, before any split) */
  expertBytes: number; expertFlops: number;
  /** split applied to expert work when experts are not spread by expert parallelism */
  expertSplit: number;
  weightSecPerByte: number; kvSecPerByte: number;
  linkSecPerByte: number;
  allReduces: number; allReduceFactor: number; allToAlls: number;
  activationBytes: number;
  /** seconds per token, at full bandwidth of the fastest memory, for its activations' traffic between the matmuls on one chip */
  elementwiseSecPerToken: number;
  cases: Record<Case, CaseConstants>;
  /** the last prompt length's attention FLOPs per prompt per chip, kept because sweeps ask again and again */
  memoPrompt: number; memoAttn: number;
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
    const dequant = weightOnly(family, chip, weightsFormat);
    // weight-only quantisation: weights are widened on the fly and the maths runs in 16-bit
    const tflops = sustainedTflops(chip, dequant ? 'bf16' : weightsFormat);
    const measured = chip.linkFacts?.collectiveLatencyUs ?? null;
    // attention reads the KV cache and computes in its format, at least 8-bit
    const attnTflops = sustainedTflops(chip, kvFormat === 'fp4' || kvFormat === 'int4' || kvFormat === 'int3' || kvFormat === 'fp6' ? 'fp8' : kvFormat) ?? tflops;
    // a prompt's attention runs in 16-bit (FlashAttention's scores and softmax; an FP8 cache is how the KV is stored, and
    // FP8 context attention is an engine opt-in), whatever format the weights and cache take
    const prefillAttnTflops = sustainedTflops(chip, 'bf16') ?? attnTflops;
    const make = (c: Case) => resolveConstants(family, dequant ? weightsFormat : null, tflops, c, measured, attnTflops, prefillAttnTflops);
    f = { dequant, tflops, cases: { low: make('low'), expected: make('expected'), high: make('high') } };
    byFormat.set(key, f);
  }
  return f;
}

/** The pessimistic case takes the low efficiencies and the high latencies. */
function resolveConstants(f: Family, dequantFormat: NumberFormat | null, sustained: number | null, c: Case, collectiveUs: number | null, attnSustained: number | null, attnPrefillSustained: number | null): CaseConstants {
  const flip: Case = c === 'low' ? 'high' : c === 'high' ? 'low' : 'expected';
  const bw = (dequantFormat && f.dequantBandwidthEfficiency[dequantFormat]) || f.bandwidthEfficiency;
  const rate = sustained !== null ? sustained * 1e12 : f.impliedTflops ? f.impliedTflops[c] * 1e12 : 0;
  const eff = (k: { low: number; expected: number; high: number } | undefined) => (sustained !== null ? (k ?? f.computeEfficiency)[c] : 1);
  return {
    bwEff: bw[c], kvBwEff: f.bandwidthEfficiency[c],
    flops: rate * eff(f.computeEfficiency), moeFlops: rate * eff(f.moeEfficiency), prefillFlops: rate * eff(f.prefillEfficiency),
    attnFlops: (attnSustained !== null && sustained !== null ? attnSustained * 1e12 : rate) * eff(f.computeEfficiency),
    attnPrefillFlops: (attnPrefillSustained !== null && sustained !== null ? attnPrefillSustained * 1e12 : rate) * eff(f.prefillEfficiency),
    dequantMath: (dequantFormat && f.dequantComputeEfficiency[dequantFormat]?.[c]) || 1,
    blockScale: f.blockScaleEfficiency?.[c] ?? 1,
    floor: f.layerFloorUs[flip] * 1e-6, hop: f.hopLatencyUs[flip] * 1e-6, overlap: f.overlap?.[flip] ?? 0,     // a measured latency for the chip's interconnect wins; the family's stated assumption covers links without one
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
  // attention run data-parallel: each chip holds all the non-expert weights and its own share of the sequences
  const dp = layout.attentionDataParallel === true && t > 1;
  const perParam = weightBytesPerParam(weightsFormat, chip, model);
  const kvElem = kvBytesPerElement(kvFormat);
  // GQA KV heads split across the tensor-parallel group (replicated beyond the KV-head count); MLA's latent is shared;
  // data-parallel attention splits the sequences instead
  const kvSplit = dp ? t : model.attention.kind === 'mla' ? 1 : Math.max(1, Math.min(t, model.kvHeads || t));
  const moe = model.moe;
  const ep = layout.expertParallel;
  const linkBs = (chip.link.bandwidthGBs?.value ?? 0) * 1e9;
  const moeLayers = moe ? moe.moeLayers : 0;
  return {
    model, chip, layout, tflopsSustained: ff.tflops, dequant: ff.dequant, blockScaled: !ff.dequant && blockScaledOutsideTensorCores(model, chip, weightsFormat), layers: model.layers, fixedTimeLayers: model.fixedTimeLayers ?? model.layers,
    gemmBytes: (nonExpertBytes(model, perParam) - p.embedding * perParam.other) / (dp ? 1 : t),
    gemmPlain: ff.dequant && expertsOnly(weightsFormat, chip, model),
    // attention projections a checkpoint keeps wider run at that format's rate: counted in the matmuls' own format
    // (a release that quantised only its experts, gpt-oss, runs every other matmul in BF16)
    gemmFlopsPerToken: (expertsOnly(weightsFormat, chip, model)
      ? (x.baseFlops - 2 * x.expertMatmulActive) * wideRate(chip, ff.tflops, 'bf16')
      : x.baseFlops - 2 * x.expertMatmulActive + 2 * x.attnMatmul * (wideRate(chip, ff.tflops, attentionKeptWide(weightsFormat, chip, model)) - 1)) / t,
    kvBytesPerUnit: kvElem * x.kvElemsPerLayer / kvSplit,
    attnFlopsPerUnit: x.attnCoef / t,
    stateBytes: kvElem * x.stateElems / t,
    fullLayers: x.fullLayers, localLayers: x.localLayers, window: x.window, chunked: x.chunked,
    moeLayers, experts: moe ? moe.experts : 0, active: moe ? moe.activeExperts : 0,
    expertBytes: p.expertPerLayerEach * perParam.expert,
    expertFlops: moe ? (2 * x.expertMatmulActive) / (moeLayers * moe.activeExperts) : 0,
    expertSplit: ep > 1 ? 1 : t,
    weightSecPerByte: secPerByte(fit, 'weightsBytes'), kvSecPerByte: secPerByte(fit, 'kvBytes'),
    linkSecPerByte: linkBs > 0 ? 1 / linkBs : 0,
    allReduces: t > 1 && !dp ? 2 * (model.layers - moeLayers) + (ep > 1 ? moeLayers : 2 * moeLayers) : 0,
    allReduceFactor: t > 1 && !dp ? (2 * (t - 1)) / t : 0,
    allToAlls: ep > 1 ? 2 * moeLayers : 0,
    activationBytes: model.hiddenSize * ACTIVATION_BYTES,
    // a transformer-only or hard-wired datapath fuses these kernels into its pipeline
    elementwiseSecPerToken: chip.runs.kind === 'any' ? elementwisePerToken(x.elementwise, layout, dp) * fastestSecPerByte(chip) : 0,
    cases: ff.cases, memoPrompt: -1, memoAttn: 0,
  };
}

/** How many times slower a wider format's matmuls run than the format the step is timed in (1 when not wider). */
function wideRate(chip: Chip, tflops: number | null, wide: NumberFormat | null): number {
  const w = wide ? sustainedTflops(chip, wide) : null;
  return tflops && w ? Math.max(1, tflops / w) : 1;
}

/** Activation bytes per token one chip moves between matmuls: tensor parallelism splits heads and FFN width but every chip
 *  normalises the full hidden vector; data-parallel attention gives each chip its own tokens; experts split over their chips. */
function elementwisePerToken(e: ElementwiseBytes, layout: Layout, dp: boolean): number {
  const t = layout.tensorParallel, ep = layout.expertParallel;
  const routed = e.routed / (ep > 1 ? ep : t);
  return dp ? (e.replicated + e.split) / t + routed : e.replicated + e.split / t + routed;
}

/** Activations stay in the chip's fastest memory (HBM on a GPU, SRAM on wafer-scale and dataflow chips). */
function fastestSecPerByte(chip: Chip): number {
  let best = 0;
  for (const t of chip.memory) { const bw = t.bandwidthGBs?.value ?? 0; if (bw > best) best = bw; }
  return best > 0 ? 1 / (best * 1e9) : 0;
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

// What one pass moves and computes, independent of the efficiency constants: worked out once, timed per case.
// [0 weight-GEMM seconds at full bandwidth, 1 weight-GEMM FLOPs, 2 KV seconds at full bandwidth, 3 attention FLOPs,
//  4 expert seconds at full bandwidth, 5 expert FLOPs, 6 link seconds for the bytes, 7 collectives (all-reduces and
//  all-to-alls), 8 pipeline hops, 9 prefill (1) or decode (0), 10 the busiest rank's share of the attention-side work over
//  the mean (data-parallel attention: 1 when balanced), 11 activation seconds between the matmuls at full bandwidth]
const W = new Float64Array(12);
const W_DECODE = new Float64Array(12), W_PREFILL = new Float64Array(12);

/**
 * The work of one pass of `tokens` tokens (from `seqs` sequences) through the model on one replica, into `w`.
 * `ctxUnits` is the layer-weighted context each sequence attends to; `attnFlops` the attention FLOPs of the pass.
 */
function work(p: Prepared, w: Float64Array, seqs: number, tokens: number, ctxUnits: number, attnFlops: number, prefill: boolean): void {
  w[0] = p.gemmBytes * p.weightSecPerByte;
  w[1] = tokens * p.gemmFlopsPerToken;
  w[2] = prefill ? 0 : seqs * (ctxUnits * p.kvBytesPerUnit + p.stateBytes) * p.kvSecPerByte;
  w[3] = attnFlops;
  let link = 0;
  if (p.moeLayers > 0) {
    // routed experts: the most loaded device sets the pace
    const ep = p.layout.expertParallel;
    const touched = mostLoaded(expertsTouched(p.experts, p.active, tokens) / ep, ep);
    const perDevice = touched < p.experts / ep ? touched : p.experts / ep;
    w[4] = p.moeLayers * perDevice * p.expertBytes / p.expertSplit * p.weightSecPerByte;
    w[5] = p.moeLayers * mostLoaded((tokens * p.active) / ep, ep) * p.expertFlops / p.expertSplit;
    if (p.allToAlls > 0) link += p.allToAlls * ((ep - 1) / ep) * (tokens * p.active * p.activationBytes / ep) * p.linkSecPerByte;
  } else { w[4] = 0; w[5] = 0; }
  const msg = tokens * p.activationBytes * p.linkSecPerByte;
  w[6] = link + p.allReduces * p.allReduceFactor * msg + (p.layout.pipelineStages - 1) * msg;
  w[7] = p.allReduces + p.allToAlls;
  w[8] = p.layout.pipelineStages - 1;
  w[9] = prefill ? 1 : 0;
  w[10] = 1;
  w[11] = tokens * p.elementwiseSecPerToken;
}

/** The time of a pass's work under one case's constants: kernels summed, each at its roofline. */
function time(p: Prepared, k: CaseConstants, w: Float64Array): number {
  const prefill = w[9] === 1;
  // weight-only formats convert each weight again for every tile of tokens: the matmuls they feed run slower
  const dq = p.dequant ? k.dequantMath : p.blockScaled ? k.blockScale : 1;
  const flops = (prefill ? k.prefillFlops : k.flops) * (p.gemmPlain ? 1 : dq);
  let memory = 0, compute = 0;
  const busiest = w[10];
  const gB = w[0] / (p.gemmPlain ? k.kvBwEff : k.bwEff), gF = flops > 0 ? busiest * w[1] / flops : 0;
  const o = k.overlap;
  if (gB >= gF) memory += gB + o * gF; else compute += gF + o * gB;
  const attnRate = prefill ? k.attnPrefillFlops : k.attnFlops;
  const aB = w[2] / k.kvBwEff, aF = attnRate > 0 ? busiest * w[3] / attnRate : 0;
  if (aB >= aF) memory += aB + o * aF; else compute += aF + o * aB;
  if (p.moeLayers > 0) {
    const moeRate = (prefill ? k.prefillFlops : k.moeFlops) * dq;
    const mB = w[4] / k.bwEff, mF = moeRate > 0 ? w[5] / moeRate : 0;
    if (mB >= mF) memory += mB + o * mF; else compute += mF + o * mB;
  }
  // the kernels between the matmuls stream activations: memory-bound, at the plain bandwidth efficiency
  memory += w[11] / k.kvBwEff;
  const interconnect = w[6] + w[7] * k.collective + w[8] * k.hop;
  const latencyFloor = p.fixedTimeLayers * k.floor;
  scratch.memory = memory; scratch.compute = compute; scratch.interconnect = interconnect; scratch.latencyFloor = latencyFloor;
  return memory + compute + interconnect + latencyFloor;
}

function caseOf(p: Prepared, c: Case): CaseConstants {
  return c === 'expected' ? p.cases.expected : c === 'low' ? p.cases.low : p.cases.high;
}

function contextUnits(p: Prepared, context: number): number {
  const s = context > 0 ? context : 0;
  // a sliding window attends to the last W tokens; a chunked layer only to the tokens of the chunk it is in
  return p.fullLayers * s + p.localLayers * (s < p.window ? s : p.chunked ? s % p.window : p.window);
}

/**
 * Seconds for one decode step of `batch` sequences on one replica at `context` tokens each. A pipeline of P stages
 * keeps min(P, batch) micro-batches in flight, so each sequence advances once per traversal of a micro-batch.
 * `tokensPerSequence` > 1 verifies several speculated tokens in one step.
 */
export function decodeSeconds(p: Prepared, batch: number, context: number, c: Case, tokensPerSequence = 1): number {
  decodeWork(p, W, batch, context, tokensPerSequence);
  return time(p, caseOf(p, c), W);
}

function decodeWork(p: Prepared, w: Float64Array, batch: number, context: number, tokensPerSequence: number): void {
  const P = p.layout.pipelineStages;
  const mb = Math.ceil(batch / (batch < P ? batch : P));
  const units = contextUnits(p, context);
  const tokens = mb * tokensPerSequence;
  work(p, w, mb, tokens, units, tokens * units * p.attnFlopsPerUnit, false);
}

/** Seconds to prefill `batch` prompts of `promptTokens` each on one replica. NaN when the chip's compute is unknown.
 *  A pipeline of P stages takes the tokens in P chunks, so stages work at once: (2P − 1) chunk-passes of 1/P each. */
export function prefillSeconds(p: Prepared, batch: number, promptTokens: number, c: Case): number {
  return prefillTime(p, batch, promptTokens, c, promptsOnBusiestRank(p, batch)) * chunkFactor(p, batch * promptTokens);
}

/** One prefill pass of `batch` prompts, with the attention-side work scaled by the busiest rank's share. NaN when the
 *  chip's compute is unknown. */
function prefillTime(p: Prepared, batch: number, promptTokens: number, c: Case, busiest: number): number {
  const k = caseOf(p, c);
  if (k.prefillFlops <= 0) return NaN;
  prefillWork(p, W, batch, promptTokens);
  W[10] = busiest;
  return time(p, k, W);
}

/** Data-parallel attention: `batch` prompts prefilled together run their attention and dense layers on their own ranks,
 *  at most ⌈batch/t⌉ on one, so the group waits ⌈batch/t⌉/(batch/t) times the even share (t for a single prompt). */
function promptsOnBusiestRank(p: Prepared, batch: number): number {
  const t = p.layout.tensorParallel;
  return p.layout.attentionDataParallel === true && t > 1 && batch > 0 ? Math.ceil(batch / t) / (batch / t) : 1;
}

/** Seconds the chips are busy prefilling `batch` prompts: the throughput cost. Under continuous batching other
 *  micro-batches fill a pipeline's fill and drain, so unlike prefillSeconds (the latency) no (2P − 1)/P factor. */
export function prefillBusySeconds(p: Prepared, batch: number, promptTokens: number, c: Case, outputTokens = 0): number {
  return prefillTime(p, batch, promptTokens, c, busiestRank(p, batch, outputTokens));
}

/**
 * With attention data-parallel over t ranks, a prompt's attention and dense layers run on its own rank, and every rank
 * waits for the others at each expert layer. With `batch` users each producing `outputTokens`, about batch/output prompts
 * arrive per decode step, λ per rank; the step waits for the rank with the most, E[max of t Poisson(λ)] prompts instead
 * of λ. Returns that ratio (1 without data-parallel attention, when the scheduler balances prompts over the ranks, or
 * when the output length is not known).
 */
function busiestRank(p: Prepared, batch: number, outputTokens: number): number {
  const t = p.layout.tensorParallel;
  if (p.layout.attentionDataParallel !== true || p.layout.balancedPrefill === true || t <= 1 || outputTokens <= 0 || batch <= 1) return 1;
  const lambda = batch / outputTokens / t;
  return expectedMaxPoisson(lambda, t) / lambda;
}

/** E[max of n independent Poisson(λ) counts] = Σ_k (1 − P(X ≤ k)^n), summed until the tail is negligible. */
export function expectedMaxPoisson(lambda: number, n: number): number {
  let term = Math.exp(-lambda), cdf = term, sum = 0;
  for (let k = 0; k < 10000; k++) {
    const tail = 1 - Math.pow(cdf, n);
    sum += tail;
    if (tail < 1e-9 && k > lambda) break;
    term *= lambda / (k + 1);
    cdf += term;
  }
  return sum;
}

/** (2P − 1) chunk-passes of 1/P each: the pipeline fills, then every stage works at once. */
function chunkFactor(p: Prepared, tokens: number): number {
  const P = p.layout.pipelineStages;
  return P > 1 && tokens >= P ? (2 * P - 1) / P : 1;
}

function prefillWork(p: Prepared, w: Float64Array, batch: number, promptTokens: number): Float64Array {
  const P = p.layout.pipelineStages;
  const tokens = batch * promptTokens;
  if (p.memoPrompt !== promptTokens) {
    p.memoPrompt = promptTokens;
    p.memoAttn = (prefillFlops(p.model, promptTokens) - promptTokens * stepFacts(p.model).baseFlops) / p.layout.tensorParallel;
  }
  const attn = batch * p.memoAttn;
  const chunks = P > 1 && tokens >= P ? P : 1;
  work(p, w, batch / chunks, tokens / chunks, 0, attn > 0 ? attn / chunks : 0, true);
  return w;
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

/**
 * One point of a sweep, without allocating: per-user and aggregate output tokens/s for the three cases at `batch`
 * sequences per replica, written to `out` as [user low, user expected, user high, aggregate low, expected, high].
 * The same arithmetic as estimate(): decode step, other users' prefills stretching it, prefill in the round.
 */
export function evaluatePoint(p: Prepared, replicas: number, batch: number, input: number, output: number, out: Float64Array): void {
  decodeWork(p, W_DECODE, batch, input + output / 2, 1);
  const knownCompute = p.cases.expected.prefillFlops > 0 && input > 0;
  if (knownCompute) { prefillWork(p, W_PREFILL, batch, input); W_PREFILL[10] = batch > 1 ? busiestRank(p, batch, output) : promptsOnBusiestRank(p, 1); }
  // one prompt waits for the pipeline to fill; with others in flight the fill is overlapped (prefillBusySeconds)
  const chunk = knownCompute ? (batch > 1 ? 1 : chunkFactor(p, input)) : 0;
  const share = batch > 1 && output > 0 ? (batch - 1) / batch / output : 0;
  for (let i = 0; i < 3; i++) {
    const k = i === 0 ? p.cases.low : i === 1 ? p.cases.expected : p.cases.high;
    const step = time(p, k, W_DECODE);
    const pre = knownCompute ? time(p, k, W_PREFILL) * chunk : 0; // unknown compute: prefill left out, as estimate() does
    out[i] = 1 / (step + share * pre);
    out[3 + i] = (replicas * batch * output) / (pre + output * step);
  }
}
