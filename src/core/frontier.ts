// The Pareto frontier of output tokens/s per chip against tokens/s per user, for a model on one or more chips:
// sweep formats, chip counts and batches, keep the configurations no other evaluated one beats on both.
import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';
import { fit } from './fit.ts';
import { defaultFormats, servedWeights } from './formats.ts';
import { colocatedServing, type ServingOptions } from './serving.ts';
import { configurations, evaluateConfig, type Cases, type DeploymentLayout, type Workload } from './sweep.ts';
import type { Bottleneck, Range } from './types.ts';

export interface FrontierChip { chip: Chip; family: Family; usdPerChipHour: number | null; engineMaxBatch: number | null }

export interface FrontierQuestion {
  model: Model;
  chips: FrontierChip[];
  inputTokens: number;
  outputTokens: number;
  reserveFraction: number;
  /** sweep one weight format only; default each chip's usual format and its native 8/16-bit ones */
  weights?: NumberFormat;
  serving: ServingOptions;
}

export interface FrontierPoint {
  chip: string;
  weights: NumberFormat;
  kv: NumberFormat;
  /** chips in one instance */
  chips: number;
  batch: number;
  layout: DeploymentLayout;
  /** mean output tokens/s a user sees (prefill interference included) */
  perUser: Range;
  /** output tokens/s per chip */
  perChip: Range;
  /** output tokens/s per kW of chip power, when the chip's power is published */
  perKw: Range | null;
  /** output tokens/s per $/hour, on the price file's one basis, when the chip has a price there */
  perUsdHour: Range | null;
  ttftMs: Range | null;
  bottleneck: Bottleneck;
}

export interface ChipFrontier {
  chip: Chip;
  /** Pareto-optimal points, slowest per user first */
  points: FrontierPoint[];
  /** every evaluated point (only when asked for, e.g. by tests) */
  all?: FrontierPoint[];
  evaluations: number;
  /** why the chip has no frontier (cannot run the model, or no deployment holds it) */
  reason?: string;
}

/** [optimistic, expected, pessimistic] → a Range (low ≤ expected ≤ high). */
export function toRange(c: Cases, scale = 1): Range {
  const a = c[0] * scale, e = c[1] * scale, p = c[2] * scale;
  return { low: Math.min(a, e, p), expected: e, high: Math.max(a, e, p) };
}

/** Points within this fraction of another's per-user speed that deliver less per chip are dropped (a 0.1% faster point
 *  bought with ten times the chips is not a choice anyone makes). */
export const FRONTIER_TOLERANCE = 0.01;

/**
 * Points no other point beats on both per-user and per-chip speed (expected case), slowest per user first; then
 * thinned so consecutive points differ by at least FRONTIER_TOLERANCE in per-user speed (a dropped point is within
 * that of a kept one that delivers more per chip, so the fastest speed shown is within the tolerance of the best).
 */
export function paretoFront<T extends { perUser: Range; perChip: Range }>(all: T[], tolerance = FRONTIER_TOLERANCE): T[] {
  const sorted = [...all].sort((a, b) => b.perUser.expected - a.perUser.expected || b.perChip.expected - a.perChip.expected);
  const strict: T[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.perChip.expected > best) { strict.push(p); best = p.perChip.expected; }
  }
  strict.reverse(); // slowest first; per-chip falls along the list
  // thin against the last point kept, so what is dropped is always within the tolerance of a kept point with more per chip
  const kept: T[] = [];
  for (const p of strict) {
    const last = kept[kept.length - 1];
    if (!last || p.perUser.expected >= last.perUser.expected * (1 + tolerance)) kept.push(p);
  }
  return kept;
}

export function chipFrontier(q: FrontierQuestion, c: FrontierChip, keepAll = false): ChipFrontier {
  const w: Workload = { model: q.model, chip: c.chip, family: c.family, inputTokens: q.inputTokens, outputTokens: q.outputTokens, reserveFraction: q.reserveFraction, engineMaxBatch: c.engineMaxBatch };
  const all: FrontierPoint[] = [];
  let evaluations = 0;
  const power = c.chip.powerW?.value ?? null;
  for (const cfg of configurations(w, q.weights)) {
    let step1: Cases | undefined;
    for (const batch of cfg.batches) {
      evaluations++;
      const ev = evaluateConfig(w, { weights: cfg.weights, kv: cfg.kv, layout: cfg.layout, chips: cfg.chips, batch }, step1);
      if (!ev) continue;
      if (batch === 1) step1 = ev.stepSeconds;
      const s = colocatedServing(ev, q.inputTokens, q.outputTokens, q.serving);
      const perChip = toRange(s.tokensPerSecond, 1 / cfg.chips);
      all.push({
        chip: c.chip.id, weights: cfg.weights, kv: cfg.kv, chips: cfg.chips, batch, layout: ev.layout,
        perUser: toRange(s.perUser), perChip,
        perKw: power ? toRange(s.tokensPerSecond, 1000 / (cfg.chips * power)) : null,
        perUsdHour: c.usdPerChipHour ? toRange(s.tokensPerSecond, 1 / (cfg.chips * c.usdPerChipHour)) : null,
        ttftMs: s.ttftSeconds ? toRange(s.ttftSeconds, 1e3) : null,
        bottleneck: ev.bottleneck,
      });
    }
  }
  const out: ChipFrontier = { chip: c.chip, points: paretoFront(all), evaluations };
  if (keepAll) out.all = all;
  if (!all.length) out.reason = whyNot(w, q.weights);
  return out;
}

function whyNot(w: Workload, only?: NumberFormat): string {
  const weights = only ?? servedWeights(w.chip, w.model);
  const f = fit({ model: w.model, chip: w.chip, weights, kv: defaultFormats(w.chip, weights).kv, contextTokens: w.inputTokens + w.outputTokens, batch: 1, chips: 'auto', reserveFraction: w.reserveFraction });
  return (f.reason ?? 'no deployment holds it').replace(/\.$/, '');
}

export function frontier(q: FrontierQuestion, keepAll = false): ChipFrontier[] {
  return q.chips.map((c) => chipFrontier(q, c, keepAll));
}

/** The most per-chip throughput a frontier offers at or above `perUser` tokens/s per user, or null if it never gets there. */
export function atInteractivity(points: FrontierPoint[], perUser: number): FrontierPoint | null {
  // the frontier is sorted slowest first and per-chip falls as per-user rises: the first point at or above the target wins
  for (const p of points) if (p.perUser.expected >= perUser) return p;
  return null;
}

export const STANDARD_INTERACTIVITIES = [20, 50, 100, 200, 500, 1000];
