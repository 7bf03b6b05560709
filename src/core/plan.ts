// The cheapest deployment that meets latency targets at a load, per chip: sweep formats, instance sizes and batches,
// size the replicas for the load, keep the fewest chips (cost and power scale with chips of one kind).
import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';
import { toRange } from './frontier.ts';
import { colocatedServing, type Serving, type ServingOptions } from './serving.ts';
import { configurations, evaluateConfig, type Cases, type DeploymentLayout, type Workload } from './sweep.ts';
import type { Bottleneck, Range } from './types.ts';

export interface Targets {
  /** time to first token, ms (a ceiling) */
  ttftMs: number;
  /** tokens per second each user sees while decoding (a floor) */
  perUser: number;
}

/** Concurrent users (each always has a request in flight), or an arrival rate of requests per second. */
export type Load = { users: number } | { requestsPerSecond: number };

export interface Limits { maxChips?: number; maxUsdPerHour?: number; maxKw?: number }

export interface PlanChip { chip: Chip; family: Family; usdPerChipHour: number | null; engineMaxBatch: number | null }

export interface PlanQuestion {
  model: Model;
  chips: PlanChip[];
  inputTokens: number;
  outputTokens: number;
  reserveFraction: number;
  targets: Targets;
  load: Load;
  limits: Limits;
  serving: ServingOptions;
  weights?: NumberFormat;
}

export interface Deployment {
  chip: string;
  weights: NumberFormat;
  kv: NumberFormat;
  /** chips per replica */
  chipsPerReplica: number;
  batch: number;
  layout: DeploymentLayout;
  /** total chips = replicas × chips per replica */
  chips: number;
  perUser: Range;
  ttftMs: Range | null;
  /** longest wait between two tokens, when a prefill lands between them */
  worstGapMs: Range | null;
  requestsPerSecond: Range;
  tokensPerSecond: Range;
  usdPerHour: number | null;
  usdPerMillionTokens: Range | null;
  kw: number | null;
  joulesPerToken: Range | null;
  bottleneck: Bottleneck;
  /** how far inside the targets (expected case): min(ttft target / ttft, per user / target) − 1 */
  headroom: number;
}

export interface ChipPlan {
  chip: Chip;
  /** the cheapest deployment meeting the targets (fewest chips; ties → most headroom), or null */
  best: Deployment | null;
  /** when none meets them: the configuration that comes closest, and what it reaches */
  closest: Deployment | null;
  reason?: string;
  evaluations: number;
  /** every deployment evaluated (only when asked for, e.g. by tests) */
  all?: Deployment[];
}

function deployment(w: Workload, c: PlanChip, ev: NonNullable<ReturnType<typeof evaluateConfig>>, s: Serving, load: Load, targets: Targets): Deployment {
  const cfg = ev.config;
  const perReplicaRps = s.requestsPerSecond[1];
  const replicas = 'users' in load ? Math.ceil(load.users / cfg.batch) : Math.max(1, Math.ceil(load.requestsPerSecond / perReplicaRps));
  const chips = replicas * cfg.chips;
  // the load actually carried: users keep every slot of the replicas they fill; an arrival rate is what it is
  const fill = 'users' in load ? load.users / (replicas * cfg.batch) : load.requestsPerSecond / (replicas * perReplicaRps);
  const rps = s.requestsPerSecond.map((x) => x * replicas * fill) as Cases;
  const tps = rps.map((x) => x * w.outputTokens) as Cases;
  const power = c.chip.powerW?.value ?? null;
  const usdPerHour = c.usdPerChipHour === null ? null : c.usdPerChipHour * chips;
  const ttft = s.ttftSeconds;
  const headroom = Math.min(ttft ? targets.ttftMs / (ttft[1] * 1e3) : Infinity, s.perUser[1] / targets.perUser) - 1;
  return {
    chip: c.chip.id, weights: cfg.weights, kv: cfg.kv, chipsPerReplica: cfg.chips, batch: cfg.batch,
    layout: { ...ev.layout, replicas }, chips,
    perUser: toRange(s.perUser), ttftMs: ttft ? toRange(ttft, 1e3) : null, worstGapMs: s.worstGapSeconds ? toRange(s.worstGapSeconds, 1e3) : null,
    requestsPerSecond: toRange(rps), tokensPerSecond: toRange(tps),
    usdPerHour, usdPerMillionTokens: usdPerHour === null ? null : toRange(tps.map((t) => (usdPerHour * 1e6) / (t * 3600)) as Cases),
    kw: power === null ? null : (power * chips) / 1000,
    joulesPerToken: power === null ? null : toRange(tps.map((t) => (power * chips) / t) as Cases),
    bottleneck: ev.bottleneck, headroom,
  };
}

/** Meets the latency targets (expected case). TTFT must be known to be met. */
export function meetsLatency(d: Deployment, t: Targets): boolean {
  return d.ttftMs !== null && d.ttftMs.expected <= t.ttftMs && d.perUser.expected >= t.perUser;
}

/** Meets the targets and the limits. */
export function meets(d: Deployment, t: Targets, l: Limits): boolean {
  return meetsLatency(d, t)
    && (l.maxChips === undefined || d.chips <= l.maxChips)
    && (l.maxUsdPerHour === undefined || (d.usdPerHour !== null && d.usdPerHour <= l.maxUsdPerHour))
    && (l.maxKw === undefined || (d.kw !== null && d.kw <= l.maxKw));
}

/** Cheaper first: fewer chips (one chip kind, so cost and power follow), then more headroom. */
export function cheaper(a: Deployment, b: Deployment): boolean {
  return a.chips < b.chips || (a.chips === b.chips && a.headroom > b.headroom);
}

/**
 * Per chip, the cheapest deployment that meets the targets. Per-user speed falls as the batch grows and the chips a
 * load needs fall with it, so for each (format, instance size) only the largest batch that still meets the targets
 * can win: it is found by bisection over the batches (exhaustive = try them all, for tests). Instance sizes whose
 * best case (the largest batch) still needs more chips than the best found are skipped.
 */
export function planChip(q: PlanQuestion, c: PlanChip, opts: { exhaustive?: boolean; keepAll?: boolean } = {}): ChipPlan {
  const w: Workload = { model: q.model, chip: c.chip, family: c.family, inputTokens: q.inputTokens, outputTokens: q.outputTokens, reserveFraction: q.reserveFraction, engineMaxBatch: c.engineMaxBatch };
  let best: Deployment | null = null, closest: Deployment | null = null, closeness = -Infinity, evaluations = 0;
  const all: Deployment[] = [];
  const users = 'users' in q.load ? q.load.users : Infinity;
  let reason: string | undefined;
  for (const cfg of configurations(w, q.weights)) {
    // no replica needs more slots than there are users
    const batches = cfg.batches.filter((b) => b < users);
    if (users <= cfg.batches[cfg.batches.length - 1]) batches.push(users);
    let step1: Cases | undefined;
    const at = (batch: number): Deployment | null => {
      evaluations++;
      const ev = evaluateConfig(w, { weights: cfg.weights, kv: cfg.kv, layout: cfg.layout, chips: cfg.chips, batch }, step1);
      if (!ev) return null;
      if (batch === 1) step1 = ev.stepSeconds;
      const d = deployment(w, c, ev, colocatedServing(ev, q.inputTokens, q.outputTokens, q.serving), q.load, q.targets);
      if (opts.keepAll) all.push(d);
      const score = Math.min(d.ttftMs ? q.targets.ttftMs / d.ttftMs.expected : 0, d.perUser.expected / q.targets.perUser);
      if (score > closeness || (score === closeness && closest && cheaper(d, closest))) { closeness = score; closest = d; }
      if (meets(d, q.targets, q.limits) && (!best || cheaper(d, best))) best = d;
      return d;
    };
    const first = at(batches[0]);
    if (!first) continue;
    if (first.ttftMs === null) reason = 'its compute is not published, so whether the time to first token is met is unknown';
    if (opts.exhaustive) { for (const b of batches.slice(1)) at(b); continue; }
    // latency only gets worse as the batch grows: if batch 1 misses the targets, every batch of this size does
    if (!meetsLatency(first, q.targets)) continue;
    // the fewest chips this instance size could need (its largest batch); skip it when that cannot beat the best
    const bound = 'users' in q.load ? Math.ceil(q.load.users / batches[batches.length - 1]) * cfg.chips : 0;
    if (best && bound > (best as Deployment).chips) continue;
    // the largest batch that still meets the latency targets (it needs the fewest replicas); limits are checked in at()
    let lo = 0, hi = batches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const d = at(batches[mid]);
      if (d && meetsLatency(d, q.targets)) lo = mid; else hi = mid - 1;
    }
  }
  const out: ChipPlan = { chip: c.chip, best, closest: best ? null : closest, evaluations, reason: best ? undefined : reason };
  if (opts.keepAll) out.all = all;
  return out;
}

export interface Plan { chips: ChipPlan[]; winners: { cost: Deployment | null; power: Deployment | null; headroom: Deployment | null } }

export function plan(q: PlanQuestion, opts: { exhaustive?: boolean; keepAll?: boolean } = {}): Plan {
  const chips = q.chips.map((c) => planChip(q, c, opts));
  const found = chips.map((c) => c.best).filter((d): d is Deployment => d !== null);
  const pick = (f: (d: Deployment) => number | null, lowest: boolean) => {
    let win: Deployment | null = null, v = 0;
    for (const d of found) {
      const x = f(d);
      if (x === null) continue;
      if (!win || (lowest ? x < v : x > v)) { win = d; v = x; }
    }
    return win;
  };
  return { chips, winners: { cost: pick((d) => d.usdPerHour, true), power: pick((d) => d.kw, true), headroom: pick((d) => d.headroom, false) } };
}
