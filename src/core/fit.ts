// Does a model fit on a chip: bytes of weights and KV, which memory tier holds what, how many chips, or why not.
import type { Chip, MemoryTier, Model, NumberFormat } from '../catalog/schema.ts';
import { kvBytesForContext, kvBytesPerToken, paramCounts, stateBytesPerSequence } from './architecture.ts';
import { bytesPerParam, kvBytesPerElement } from './formats.ts';

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

export function servingTiers(chip: Chip): MemoryTier[] {
  return chip.memory
    .filter((t) => t.servesInference)
    .sort((a, b) => (b.bandwidthGBs?.value ?? 0) - (a.bandwidthGBs?.value ?? 0));
}

export function weightsBytes(model: Model, chip: Chip, format: NumberFormat): number {
  return paramCounts(model).total * bytesPerParam(format, chip);
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
  const kvPerToken = kvBytesPerToken(model, kvElem).growing;
  const kvSeq = kvBytesForContext(model, kvElem, input.contextTokens) + stateBytesPerSequence(model, kvElem);
  const maxChips = chip.link.maxChips?.value ?? null;
  const base = {
    contextTokens: input.contextTokens, weightsBytes: weights, kvBytesPerToken: kvPerToken,
    kvBytesPerSequence: kvSeq, maxChips,
  };

  const refused = refusal(model, chip);
  if (refused) {
    return { ...base, fits: false, refused: true, reason: refused, chipsNeeded: null, chipsForFastestTier: null,
      chips: input.chips === 'auto' ? 1 : input.chips, batch: input.batch === 'max' ? 1 : input.batch,
      usableBytesPerChip: null, maxBatchAtContext: null, maxContextAtBatch1: null, tiers: [] };
  }

  const hardwired = chip.runs.kind === 'hardwired';
  const tiers = servingTiers(chip);
  // Hard-wired weights live in ROM and take no writable capacity.
  const writable = tiers.filter((t) => t.kind !== 'rom');
  const keep = 1 - input.reserveFraction;
  const usable = (t: MemoryTier) => (t.capacityGB ? t.capacityGB.value * 1e9 * keep : null);
  const capacities = writable.map(usable);
  const capacityKnown = capacities.length > 0 && capacities.every((c) => c !== null);
  const usablePerChip = capacityKnown ? capacities.reduce((a, c) => a + (c as number), 0) : null;
  const fastestUsable = capacities[0] ?? null;
  const weightsToPlace = hardwired ? 0 : weights;
  const batchForFit = input.batch === 'max' ? 1 : input.batch;
  const need = weightsToPlace + batchForFit * kvSeq;

  const chipsNeeded = usablePerChip ? Math.max(1, Math.ceil(need / usablePerChip)) : hardwired ? 1 : null;
  const chipsForFastestTier = fastestUsable ? Math.max(1, Math.ceil(need / fastestUsable)) : chipsNeeded;
  const preferred = chip.preferFastTier && chipsForFastestTier !== null ? Math.min(chipsForFastestTier, maxChips ?? Infinity) : chipsNeeded;
  const chips = input.chips === 'auto' ? (preferred ?? 1) : input.chips;

  const totalUsable = usablePerChip === null ? null : usablePerChip * chips;
  const maxBatchAtContext = totalUsable === null ? null : Math.max(0, Math.floor((totalUsable - weightsToPlace) / kvSeq));
  const maxContextAtBatch1 = totalUsable === null ? null : maxContextFor(model, kvElem, totalUsable - weightsToPlace);
  const batch = input.batch === 'max' ? Math.max(1, maxBatchAtContext ?? 1) : input.batch;

  let fits = true;
  let reason: string | undefined;
  const unit = plural(chip.unit, chipsNeeded ?? 0);
  if (chipsNeeded !== null && maxChips !== null && chipsNeeded > maxChips) {
    fits = false;
    reason = `needs ${chipsNeeded.toLocaleString('en-US')} ${unit}, more than the ${maxChips.toLocaleString('en-US')} the largest ${chip.name} deployment described holds`;
  } else if (input.chips !== 'auto' && chipsNeeded !== null && chipsNeeded > input.chips) {
    fits = false;
    reason = `needs ${chipsNeeded.toLocaleString('en-US')} ${unit}; ${input.chips} ${plural(chip.unit, input.chips)} hold ${fmtGB(totalUsable ?? 0)} usable`;
  } else if (maxBatchAtContext !== null && maxBatchAtContext < 1) {
    fits = false;
    reason = `the weights fit but not one sequence of ${input.contextTokens.toLocaleString('en-US')} tokens`;
  }

  return {
    ...base, fits, refused: false, reason, chipsNeeded, chipsForFastestTier, chips, batch,
    usableBytesPerChip: usablePerChip, maxBatchAtContext, maxContextAtBatch1,
    tiers: place(tiers, hardwired ? weights : 0, weightsToPlace, batch * kvSeq, chips, keep),
  };
}

/** Fill the fastest tier first: weights, then KV. Whatever overflows the last tier stays in it (reported by `fits`). */
function place(tiers: MemoryTier[], romWeights: number, weights: number, kv: number, chips: number, keep: number): TierShare[] {
  const shares: TierShare[] = tiers.map((tier) => ({ tier, weightsBytes: 0, kvBytes: 0 }));
  const writable = shares.filter((s) => s.tier.kind !== 'rom');
  const rom = shares.find((s) => s.tier.kind === 'rom');
  if (rom) rom.weightsBytes = romWeights;
  const room = writable.map((s) => (s.tier.capacityGB ? s.tier.capacityGB.value * 1e9 * keep * chips : Infinity));
  let left = weights;
  for (let i = 0; i < writable.length && left > 0; i++) {
    const take = i === writable.length - 1 ? left : Math.min(left, room[i]);
    writable[i].weightsBytes += take; room[i] -= take; left -= take;
  }
  left = kv;
  for (let i = 0; i < writable.length && left > 0; i++) {
    const take = i === writable.length - 1 ? left : Math.min(left, Math.max(0, room[i]));
    writable[i].kvBytes += take; room[i] -= take; left -= take;
  }
  return shares.filter((s) => s.weightsBytes > 0 || s.kvBytes > 0);
}

/** Longest context whose KV fits in `bytes` for one sequence (binary search; KV growth is piecewise linear). */
function maxContextFor(model: Model, kvElem: number, bytes: number): number {
  if (bytes <= 0) return 0;
  const per = kvBytesPerToken(model, kvElem).growing;
  if (per === 0) return model.maxContext;
  let lo = 0, hi = Math.min(model.maxContext, Math.floor(bytes / per) + 1_000_000);
  if (kvBytesForContext(model, kvElem, hi) <= bytes) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (kvBytesForContext(model, kvElem, mid) <= bytes) lo = mid; else hi = mid;
  }
  return lo;
}

export function plural(unit: string, n: number): string {
  return n === 1 ? unit : `${unit}s`;
}

export function fmtGB(bytes: number): string {
  return bytes >= 1e12 ? `${(bytes / 1e12).toFixed(2)} TB` : bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}
