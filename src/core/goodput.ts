// Goodput at a load and targets for three deployments: colocated on chip A, colocated on chip B, and disaggregated
// (prefill on A, decode on B, the KV cache handed over a stated link). Goodput = requests per second served within
// both targets; reported per chip, per MW and per $ where power and prices are known.
import type { Model, NumberFormat } from '../catalog/schema.ts';
import { toRange } from './frontier.ts';
import { planChip, type Deployment, type Load, type PlanChip, type Targets } from './plan.ts';
import { kvHandoverBytes, kvTransferSeconds, maxUtilisation, md1Wait, type Link, type ServingOptions } from './serving.ts';
import { configurations, evaluateConfig, type Cases, type Evaluation, type Workload } from './sweep.ts';
import type { Range } from './types.ts';

export interface GoodputQuestion {
  model: Model;
  a: PlanChip;
  b: PlanChip;
  inputTokens: number;
  outputTokens: number;
  reserveFraction: number;
  targets: Targets;
  users: number;
  serving: ServingOptions;
  /** the link the KV cache crosses, or null when its speed is unknown (the hand-over is then left out and said so) */
  link: Link | null;
}

export interface Goodput {
  /** requests per second served within both targets */
  requestsPerSecond: Range;
  chips: number;
  kw: number | null;
  usdPerHour: number | null;
  perChip: Range;
  perMw: Range | null;
  /** requests per dollar */
  perUsd: Range | null;
}

export interface DisaggDeployment {
  prefill: { chip: string; weights: NumberFormat; chipsPerInstance: number; instances: number; utilisation: number; prefillMs: Range };
  decode: { chip: string; weights: NumberFormat; kv: NumberFormat; chipsPerReplica: number; batch: number; replicas: number; stepMs: Range };
  kvBytes: number;
  /** null when the link's speed is unknown */
  kvTransferMs: Range | null;
  lanes: number;
  ttftMs: Range;
  perUser: Range;
  goodput: Goodput;
}

export interface GoodputAnswer {
  colocatedA: { deployment: Deployment | null; closest: Deployment | null; goodput: Goodput | null; evaluations: number };
  colocatedB: { deployment: Deployment | null; closest: Deployment | null; goodput: Goodput | null; evaluations: number };
  disagg: DisaggDeployment | null;
  /** why no split meets the targets */
  disaggReason?: string;
  evaluations: number;
}

function goodputOf(rps: Cases, chips: number, powerW: number | null, usdPerHour: number | null): Goodput {
  return {
    requestsPerSecond: toRange(rps), chips, kw: powerW === null ? null : powerW / 1000, usdPerHour,
    perChip: toRange(rps, 1 / chips), perMw: powerW === null ? null : toRange(rps, 1e6 / powerW),
    perUsd: usdPerHour === null ? null : toRange(rps, 3600 / usdPerHour),
  };
}

function colocatedGoodput(d: Deployment | null, c: PlanChip): Goodput | null {
  if (!d) return null;
  const rps: Cases = [d.requestsPerSecond.high, d.requestsPerSecond.expected, d.requestsPerSecond.low];
  return goodputOf(rps, d.chips, c.chip.powerW ? c.chip.powerW.value * d.chips : null, d.usdPerHour);
}

/** Every instance of a side the sweep would try, evaluated; the prefill side at batch 1 (one prompt at a time). */
function sideEvaluations(w: Workload, prefillOnly: boolean): Evaluation[] {
  const out: Evaluation[] = [];
  for (const cfg of configurations(w)) {
    let step1: Cases | undefined;
    for (const batch of prefillOnly ? [1] : cfg.batches) {
      const ev = evaluateConfig(w, { weights: cfg.weights, kv: cfg.kv, layout: cfg.layout, chips: cfg.chips, batch }, step1);
      if (!ev) continue;
      if (batch === 1) step1 = ev.stepSeconds;
      out.push(ev);
    }
  }
  return out;
}

/** Disaggregated: choose the prefill instance, the decode replica and the split that meet the targets at least cost. */
function disaggregated(q: GoodputQuestion): { best: DisaggDeployment | null; reason?: string; evaluations: number } {
  const base = { model: q.model, inputTokens: q.inputTokens, outputTokens: q.outputTokens, reserveFraction: q.reserveFraction };
  const pre = sideEvaluations({ ...base, chip: q.a.chip, family: q.a.family, engineMaxBatch: q.a.engineMaxBatch }, true).filter((e) => e.prefillSeconds !== null);
  const dec = sideEvaluations({ ...base, chip: q.b.chip, family: q.b.family, engineMaxBatch: q.b.engineMaxBatch }, false)
    .filter((e) => 1 / e.stepSeconds[1] >= q.targets.perUser && e.config.batch <= q.users);
  const evaluations = pre.length + dec.length;
  if (!pre.length) return { best: null, evaluations, reason: `${q.a.chip.name} cannot prefill it (it does not fit, or its compute is not published)` };
  if (!dec.length) return { best: null, evaluations, reason: `no ${q.b.chip.name} deployment decodes at ${q.targets.perUser} tokens/s per user` };
  const pA = q.a.chip.powerW?.value ?? null, pB = q.b.chip.powerW?.value ?? null;
  const $A = q.a.usdPerChipHour, $B = q.b.usdPerChipHour;
  // the objective: total power when both sides publish it, else total cost when both are priced, else chips
  const objective = pA !== null && pB !== null ? (a: number, b: number) => a * pA + b * pB
    : $A !== null && $B !== null ? (a: number, b: number) => a * $A + b * $B : (a: number, b: number) => a + b;
  let best: DisaggDeployment | null = null, bestCost = Infinity;
  for (const d of dec) {
    const replicas = Math.ceil(q.users / d.config.batch);
    const s = d.stepSeconds;
    for (const p of pre) {
      const lanes = Math.min(p.config.chips, d.config.chips);
      const kvBytes = kvHandoverBytes(q.model, d.config.kv, q.inputTokens);
      const X = q.link ? kvTransferSeconds(kvBytes, q.link, lanes) : 0;
      const P = p.prefillSeconds!;
      const slack = q.targets.ttftMs / 1e3 - (P[1] + X + s[1]);
      if (slack < 0) continue;
      const rhoMax = Math.min(maxUtilisation(slack, P[1]), 0.95);
      // users cycle through TTFT then `out` decode steps; the arrival rate follows (Little's law)
      const rpsAt = (ttft: number, i: number) => q.users / (ttft + q.outputTokens * s[i]);
      const rpsExp = rpsAt(P[1] + rhoMax * P[1] / (2 * (1 - rhoMax)) + X + s[1], 1);
      const instances = Math.max(1, Math.ceil((rpsExp * P[1]) / rhoMax));
      const chipsA = instances * p.config.chips, chipsB = replicas * d.config.chips;
      const cost = objective(chipsA, chipsB);
      if (cost >= bestCost) continue;
      const ttft = [0, 1, 2].map((i) => {
        const rho = Math.min(0.99, (rpsExp * P[i]) / instances);
        return P[i] + md1Wait(rho, P[i]) + X + s[i];
      }) as Cases;
      const rps = [0, 1, 2].map((i) => rpsAt(ttft[i], i)) as Cases;
      const power = pA !== null && pB !== null ? chipsA * pA + chipsB * pB : null;
      const usd = $A !== null && $B !== null ? chipsA * $A + chipsB * $B : null;
      bestCost = cost;
      best = {
        prefill: { chip: q.a.chip.id, weights: p.config.weights, chipsPerInstance: p.config.chips, instances, utilisation: (rpsExp * P[1]) / instances, prefillMs: toRange(P, 1e3) },
        decode: { chip: q.b.chip.id, weights: d.config.weights, kv: d.config.kv, chipsPerReplica: d.config.chips, batch: d.config.batch, replicas, stepMs: toRange(s, 1e3) },
        kvBytes, kvTransferMs: q.link ? toRange([X, X, X], 1e3) : null, lanes,
        ttftMs: toRange(ttft, 1e3), perUser: toRange(s.map((x) => 1 / x) as Cases),
        goodput: goodputOf(rps, chipsA + chipsB, power, usd),
      };
    }
  }
  return best ? { best, evaluations } : { best: null, evaluations, reason: `no split meets a ${q.targets.ttftMs} ms first token: prefill on ${q.a.chip.name}${q.link ? ', the KV hand-over' : ''} and a decode step already take longer` };
}

export function goodput(q: GoodputQuestion): GoodputAnswer {
  const pq = { model: q.model, chips: [], inputTokens: q.inputTokens, outputTokens: q.outputTokens, reserveFraction: q.reserveFraction,
    targets: q.targets, load: { users: q.users } as Load, limits: {}, serving: q.serving };
  const A = planChip(pq, q.a), B = planChip(pq, q.b);
  const d = disaggregated(q);
  return {
    colocatedA: { deployment: A.best, closest: A.closest, goodput: colocatedGoodput(A.best, q.a), evaluations: A.evaluations },
    colocatedB: { deployment: B.best, closest: B.closest, goodput: colocatedGoodput(B.best, q.b), evaluations: B.evaluations },
    disagg: d.best, disaggReason: d.reason, evaluations: A.evaluations + B.evaluations + d.evaluations,
  };
}
