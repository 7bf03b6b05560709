// Does a model fit on a chip: bytes of weights and KV, which memory tier holds what, how many chips, or why not.
import type { Chip, MemoryTier, Model, NumberFormat } from '../catalog/schema.ts';
import { kvBytesForContext, kvBytesPerToken, kvGrowingBytesPerToken, paramCounts, stateBytesPerSequence, stepFacts } from './architecture.ts';
import { kvBytesPerElement, weightBytesPerParam } from './formats.ts';

export interface TierShare {
  tier: MemoryTier;
  /** bytes held in this tier across all chips */
  weightsBytes: number;
  kvBytes: number;
}

export interface FitInput {
  model: Model;
  chip: Chip;
  weights: NumberFormat;
  kv: NumberFormat;
  contextTokens: number;
  batch: number | 'max';
  chips: number | 'auto';
  reserveFraction: number;
  /** copies of each sequence's KV the chips store (tensor parallel over MLA, or beyond the KV heads); default 1 */
  kvReplication?: number;
  /** weight bytes stored beyond one copy of the model (attention run data-parallel copies its weights to every chip) */
  replicatedWeightsBytes?: number;
}

export interface FitResult {
  fits: boolean;
  /** why it does not fit or cannot run */
  reason?: string;
  /** true when the chip cannot run this model at all (not a capacity question) */
  refused: boolean;
  /** fewest chips that hold the weights plus KV for the batch at the context; null when unknown or refused */
  chipsNeeded: number | null;
  /** fewest chips that hold weights plus KV in the fastest memory tier alone (differs on tiered chips) */
  chipsForFastestTier: number | null;
  /** chips the answer is computed for */
  chips: number;
  batch: number;
  contextTokens: number;
  weightsBytes: number;
  kvBytesPerToken: number;
  kvBytesPerSequence: number;
  /** usable bytes per chip in tiers that serve inference (after the runtime reserve); null if unpublished */
  usableBytesPerChip: number | null;
  /** largest batch that fits at the context on `chips`; null when capacity is unknown */
  maxBatchAtContext: number | null;
  /** longest context one sequence can hold on `chips`; null when unknown */
  maxContextAtBatch1: number | null;
  tiers: TierShare[];
  /** chips the vendor describes as the largest deployment, if it limits the answer */
  maxChips: number | null;
}

interface ChipMemory {
  /** tiers that serve inference, fastest first */
  tiers: MemoryTier[];
  /** capacity in bytes per chip of each tier (null when unpublished); ROM tiers hold hard-wired weights only */
  capacity: (number | null)[];
  writable: boolean[];
}

const memoryOf = new WeakMap<Chip, ChipMemory>();

function chipMemory(chip: Chip): ChipMemory {
  let m = memoryOf.get(chip);
  if (!m) {
    const tiers = chip.memory.filter((t) => t.servesInference).sort((a, b) => (b.bandwidthGBs?.value ?? 0) - (a.bandwidthGBs?.value ?? 0));
    m = { tiers, capacity: tiers.map((t) => (t.capacityGB ? t.capacityGB.value * 1e9 : null)), writable: tiers.map((t) => t.kind !== 'rom') };
    memoryOf.set(chip, m);
  }
  return m;
}

export function weightsBytes(model: Model, chip: Chip, format: NumberFormat): number {
  const b = weightBytesPerParam(format, chip, model);
  return paramCounts(model).expert * b.expert + nonExpertBytes(model, b);
}

/** Bytes of everything but the routed experts, at the widths weightBytesPerParam gives: attention (as wide as its
 *  checkpoint keeps it), dense FFN, shared experts, embeddings. */
export function nonExpertBytes(model: Model, b: { other: number; attention: number }): number {
  const attn = stepFacts(model).attnMatmul;
  return (paramCounts(model).nonExpert - attn) * b.other + attn * b.attention;
}

/** Refusal for chips that cannot run a model at all, or undefined. */
export function refusal(model: Model, chip: Chip): string | undefined {
  if (chip.runs.kind === 'hardwired' && chip.runs.model !== model.id) {
    return `${chip.name} runs only ${chip.runs.model} (${chip.runs.format}), hard-wired into the silicon; it cannot load ${model.name}.`;
  }
  if (chip.runs.kind === 'transformers' && model.architecture !== 'transformer') {
    return `${chip.name} hard-wires transformer blocks and cannot run ${model.name}, which is a ${model.architecture === 'ssm' ? 'state-space (Mamba) model' : 'non-transformer model'}.`;
  }
  return undefined;
}

export function fit(input: FitInput): FitResult {
  const { model, chip } = input;
  const weights = weightsBytes(model, chip, input.weights);
  const kvElem = kvBytesPerElement(input.kv);
  const kvPerToken = kvGrowingBytesPerToken(model, kvElem);
  const kvSeq = kvBytesForContext(model, kvElem, input.contextTokens) + stateBytesPerSequence(model, kvElem);
  const maxChips = chip.link.maxChips?.value ?? null;

  const refused = refusal(model, chip);
  if (refused) {
    return { fits: false, refused: true, reason: refused, chipsNeeded: null, chipsForFastestTier: null,
      chips: input.chips === 'auto' ? 1 : input.chips, batch: input.batch === 'max' ? 1 : input.batch,
      contextTokens: input.contextTokens, weightsBytes: weights, kvBytesPerToken: kvPerToken, kvBytesPerSequence: kvSeq,
      usableBytesPerChip: null, maxBatchAtContext: null, maxContextAtBatch1: null, tiers: [], maxChips };
  }

  const hardwired = chip.runs.kind === 'hardwired';
  const mem = chipMemory(chip);
  const keep = 1 - input.reserveFraction;
  // Hard-wired weights live in ROM and take no writable capacity.
  let usablePerChip: number | null = 0, fastestUsable: number | null = null, anyWritable = false;
  for (let i = 0; i < mem.tiers.length; i++) {
    if (!mem.writable[i]) continue;
    const cap = mem.capacity[i];
    if (!anyWritable) fastestUsable = cap === null ? null : cap * keep;
    anyWritable = true;
    usablePerChip = cap === null || usablePerChip === null ? null : usablePerChip + cap * keep;
  }
  if (!anyWritable) usablePerChip = null;
  const weightsToPlace = hardwired ? 0 : weights + (input.replicatedWeightsBytes ?? 0);
  const batchForFit = input.batch === 'max' ? 1 : input.batch;
  const kvStored = kvSeq * (input.kvReplication ?? 1);
  const need = weightsToPlace + batchForFit * kvStored;

  const chipsNeeded = usablePerChip ? Math.max(1, Math.ceil(need / usablePerChip)) : hardwired ? 1 : null;
  const chipsForFastestTier = fastestUsable ? Math.max(1, Math.ceil(need / fastestUsable)) : chipsNeeded;
  const preferred = chip.preferFastTier && chipsForFastestTier !== null ? Math.min(chipsForFastestTier, maxChips ?? Infinity) : chipsNeeded;
  const chips = input.chips === 'auto' ? (preferred ?? 1) : input.chips;

  const totalUsable = usablePerChip === null ? null : usablePerChip * chips;
  const rep = input.kvReplication ?? 1;
  const maxBatchAtContext = totalUsable === null ? null : Math.max(0, Math.floor((totalUsable - weightsToPlace) / kvStored));
  const maxContextAtBatch1 = totalUsable === null ? null : maxContextFor(model, kvElem, (totalUsable - weightsToPlace) / rep - stateBytesPerSequence(model, kvElem), kvPerToken);
  const batch = input.batch === 'max' ? Math.max(1, maxBatchAtContext ?? 1) : input.batch;

  let fits = true;
  let reason: string | undefined;
  if (chipsNeeded !== null && maxChips !== null && chipsNeeded > maxChips) {
    fits = false;
    reason = `needs ${chipsNeeded.toLocaleString('en-US')} ${plural(chip.unit, chipsNeeded)}, more than the ${maxChips.toLocaleString('en-US')} the largest ${chip.name} deployment described holds`;
  } else if (input.chips !== 'auto' && chipsNeeded !== null && chipsNeeded > input.chips) {
    fits = false;
    reason = `needs ${chipsNeeded.toLocaleString('en-US')} ${plural(chip.unit, chipsNeeded)}; ${input.chips} ${plural(chip.unit, input.chips)} hold ${fmtGB(totalUsable ?? 0)} usable`;
  } else if (maxBatchAtContext !== null && maxBatchAtContext < 1) {
    fits = false;
    reason = `the weights fit but not one sequence of ${input.contextTokens.toLocaleString('en-US')} tokens`;
  }

  return {
    fits, refused: false, reason, chipsNeeded, chipsForFastestTier, chips, batch,
    contextTokens: input.contextTokens, weightsBytes: weights, kvBytesPerToken: kvPerToken, kvBytesPerSequence: kvSeq,
    usableBytesPerChip: usablePerChip, maxBatchAtContext, maxContextAtBatch1,
    tiers: place(mem, hardwired ? weights : 0, weightsToPlace, batch * kvStored, chips, keep), maxChips,
  };
}

/** Fill the fastest tier first: weights, then KV. Whatever overflows the last tier stays in it (reported by `fits`). */
function place(mem: ChipMemory, romWeights: number, weights: number, kv: number, chips: number, keep: number): TierShare[] {
  const shares: TierShare[] = [];
  let wLeft = weights, kvLeft = kv;
  let lastWritable = -1;
  for (let i = 0; i < mem.tiers.length; i++) if (mem.writable[i]) lastWritable = i;
  for (let i = 0; i < mem.tiers.length; i++) {
    const tier = mem.tiers[i];
    if (!mem.writable[i]) {
      if (romWeights > 0) shares.push({ tier, weightsBytes: romWeights, kvBytes: 0 });
      continue;
    }
    const cap = mem.capacity[i];
    let room = i === lastWritable || cap === null ? Infinity : cap * keep * chips;
    const w = wLeft < room ? wLeft : room;
    wLeft -= w; room -= w;
    const k = kvLeft < room ? kvLeft : room;
    kvLeft -= k;
    if (w > 0 || k > 0) shares.push({ tier, weightsBytes: w, kvBytes: k });
  }
  return shares;
}

/** Longest context whose KV fits in `bytes` for one sequence. KV grows at `allLayers` per token up to the local
 *  window, then at `growing` (full-attention layers only). */
function maxContextFor(model: Model, kvElem: number, bytes: number, growing: number): number {
  if (bytes <= 0) return 0;
  if (growing === 0) return model.maxContext;
  const w = model.localAttention?.window ?? Infinity;
  const all = w === Infinity ? growing : kvBytesPerToken(model, kvElem).allLayers;
  let s = Math.floor(bytes / all);
  if (s > w) s = Math.floor(w + (bytes - all * w) / growing);
  while (s > 0 && kvBytesForContext(model, kvElem, s) > bytes) s--;
  return s;
}

export function plural(unit: string, n: number): string {
  return n === 1 ? unit : `${unit}s`;
}

export function fmtGB(bytes: number): string {
  return bytes >= 1e12 ? `${(bytes / 1e12).toFixed(2)} TB` : bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}
