// Choosing a deployment: how many chips, and which layout of them, for a model, a chip and a batch.
import type { Chip, ChipDeployment, Model, NumberFormat } from '../catalog/schema.ts';
import { fit, nonExpertBytes, type FitResult } from './fit.ts';
import { weightBytesPerParam } from './formats.ts';
import { chipsOf, describeLayout, kvReplication, tensorDegrees, vendorLayout, type DeploymentMode, type Layout } from './layout.ts';
import { decodeSeconds, prefillBusySeconds, prefillSeconds, prepare, type Prepared } from './step.ts';
import type { Scenario } from './types.ts';

export interface Deployment {
  layout: Layout;
  /** fit of one replica (its chips, its share of the batch) */
  replicaFit: FitResult;
  prepared: Prepared;
  /** sequences each replica runs */
  replicaBatch: number;
  chipsUsed: number;
  /** chips the question gave (or the systems the mode chose), of which `chipsUsed` serve */
  chipsGiven: number;
  mode: DeploymentMode | 'given' | 'forced';
  rule: ChipDeployment['rule'];
  system: { name: string; chips: number; count: number } | null;
  /** one line: "TP8 × PP2 (16 GPUs)" */
  line: string;
  /** said when the chip count is not a usable layout, or chips sit idle */
  note?: string;
}

/** Fewest chips that hold the weights plus `batch` sequences. With no chip count given, chips that serve from their
 *  fast tier (d-Matrix) count only that tier; given chips may spill to the capacity tier. */
function chipsFor(sc: Scenario, batch: number, t = 1): number {
  const f = fit({ model: sc.model, chip: sc.chip, weights: sc.weights, kv: sc.kv, contextTokens: sc.inputTokens + sc.outputTokens,
    batch, chips: 'auto', reserveFraction: sc.reserveFraction, kvReplication: kvReplication(sc.model, t) });
  return sc.chips === 'auto' ? f.chips : (f.chipsNeeded ?? f.chips);
}

/** What a layout stores beyond one copy of the model: each sequence's KV as many times as the TP degree copies it, and,
 *  with data-parallel attention, a whole copy of the non-expert weights on each of the group's other chips. */
export function layoutCopies(model: Model, chip: Chip, weights: NumberFormat, layout: Pick<Layout, 'tensorParallel' | 'attentionDataParallel'>): { kvReplication: number; replicatedWeightsBytes: number } {
  const t = layout.tensorParallel, dp = layout.attentionDataParallel === true && t > 1;
  return { kvReplication: kvReplication(model, t, dp), replicatedWeightsBytes: dp ? (t - 1) * nonExpertBytes(model, weightBytesPerParam(weights, chip, model)) : 0 };
}

/** One replica's fit: its chips hold its share of the batch, with the copies its layout makes. */
export function replicaFitOf(sc: Scenario, layout: Pick<Layout, 'tensorParallel' | 'pipelineStages' | 'attentionDataParallel'>, batch: number): FitResult {
  return fit({ model: sc.model, chip: sc.chip, weights: sc.weights, kv: sc.kv, contextTokens: sc.inputTokens + sc.outputTokens,
    batch, chips: layout.tensorParallel * layout.pipelineStages, reserveFraction: sc.reserveFraction, ...layoutCopies(sc.model, sc.chip, sc.weights, layout) });
}

/** The mean context of a decode step: as the workload states it, or every sequence at input + output/2. */
export function decodeContext(sc: Scenario): number {
  return sc.decodeContextTokens ?? sc.inputTokens + sc.outputTokens / 2;
}

function expertParallel(sc: Scenario, t: number): number {
  return sc.model.moe && t > 1 ? t : 1;
}

interface Candidate { layout: Layout; replicaBatch: number; seconds: number; prepared: Prepared; replicaFit: FitResult }

function evaluate(sc: Scenario, layout: Layout, batch: number): Candidate {
  const replicaBatch = Math.max(1, Math.ceil(batch / layout.replicas));
  const replicaFit = replicaFitOf(sc, layout, replicaBatch);
  const prepared = prepare(sc.model, sc.chip, sc.family, sc.weights, sc.kv, layout, replicaFit);
  // time between a user's tokens: the decode step plus the other users' prefills scheduled into it
  let seconds = decodeSeconds(prepared, replicaBatch, decodeContext(sc), 'expected');
  if (!sc.prefillElsewhere && replicaBatch > 1 && sc.inputTokens > 0 && sc.outputTokens > 0) {
    const pre = prefillBusySeconds(prepared, replicaBatch, sc.inputTokens, 'expected', sc.outputTokens);
    if (!Number.isNaN(pre)) seconds += ((replicaBatch - 1) / replicaBatch) * pre / sc.outputTokens;
  }
  return { layout, replicaBatch, seconds, prepared, replicaFit };
}

/** Tensor-parallel layouts on at most `chips` chips: for each legal degree, the fewest stages that hold a replica's
 *  share of the batch with as many replicas as fit (or one, when `oneReplica`), and deeper pipelines (doubling) that
 *  keep more of the model in a fast tier or let micro-batches overlap. */
function tensorParallelCandidates(sc: Scenario, chips: number, batch: number, oneReplica: boolean): Candidate[] {
  const out: Candidate[] = [];
  const layers = sc.model.layers;
  // chips that hold a batch depend on the degree only through the KV copies it makes: one fit per (batch, copies)
  const memo = new Map<string, number>();
  const need = (b: number, t: number) => {
    const key = `${b}/${kvReplication(sc.model, t)}`;
    let n = memo.get(key);
    if (n === undefined) { n = chipsFor(sc, b, t); memo.set(key, n); }
    return n;
  };
  for (const t of tensorDegrees(sc.model, sc.chip, chips)) {
    const p1 = Math.ceil(need(1, t) / t);
    if (t * p1 > chips || p1 > layers) continue;
    const rMax = oneReplica ? 1 : Math.max(1, Math.floor(chips / (t * p1)));
    let pMin = 0;
    for (let r = rMax; r >= 1; r--) {
      const share = Math.ceil(batch / r);
      const p = Math.max(p1, Math.ceil(need(share, t) / t));
      if (t * p * r <= chips && p <= layers) {
        out.push(evaluate(sc, { tensorParallel: t, pipelineStages: p, replicas: r, expertParallel: expertParallel(sc, t) }, batch));
        pMin = p;
        break;
      }
    }
    if (!pMin) continue;
    for (let p = 2 ** Math.ceil(Math.log2(pMin + 1)); p <= layers && t * p <= chips; p *= 2) {
      const r = oneReplica ? 1 : Math.floor(chips / (t * p));
      out.push(evaluate(sc, { tensorParallel: t, pipelineStages: p, replicas: r, expertParallel: expertParallel(sc, t) }, batch));
    }
  }
  // MoE: attention and dense layers data-parallel over the group, experts spread over it (no KV copies under MLA), with
  // prompts balanced over the ranks as engines offer it (a deployment would turn it on)
  if (sc.model.moe) {
    for (const t of tensorDegrees(sc.model, sc.chip, chips)) {
      if (t < 2) continue;
      for (let r = oneReplica ? 1 : Math.floor(chips / t); r >= 1; r--) {
        const c = evaluate(sc, { tensorParallel: t, pipelineStages: 1, replicas: r, expertParallel: t, attentionDataParallel: true, balancedPrefill: true }, batch);
        if (c.replicaFit.fits) { out.push(c); break; }
      }
    }
  }
  return out.filter((c) => c.replicaFit.fits);
}

/** Largest per-replica batch: what memory holds, no more than the engine schedules, and (with a latency target) no
 *  more than keeps a decode step within it. */
export function maxReplicaBatch(sc: Scenario, p: Prepared, replicaFit: FitResult): { batch: number; limitedBy: 'memory' | 'engine' | 'latency target' } {
  const memory = Math.max(1, replicaFit.maxBatchAtContext ?? 1);
  const engine = sc.engineMaxBatch ?? Infinity;
  let batch = Math.min(memory, engine);
  let limitedBy: 'memory' | 'engine' | 'latency target' = memory <= engine ? 'memory' : 'engine';
  const target = sc.tpotTargetMs;
  if (target != null) {
    const ctx = decodeContext(sc);
    // the time per token a user sees: the step, plus the other users' prefills spread over its output (as estimate())
    const tpot = (b: number) => {
      const pre = !sc.prefillElsewhere && b > 1 && sc.inputTokens > 0 && sc.outputTokens > 0 ? prefillBusySeconds(p, b, sc.inputTokens, 'expected', sc.outputTokens) : 0;
      return decodeSeconds(p, b, ctx, 'expected') + (Number.isNaN(pre) ? 0 : ((b - 1) / b) * pre / sc.outputTokens);
    };
    const within = (b: number) => tpot(b) * 1e3 <= target;
    if (!within(batch)) {
      let lo = 1, hi = batch;
      if (!within(1)) hi = 1;
      while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (within(mid)) lo = mid; else hi = mid; }
      batch = lo; limitedBy = 'latency target';
    }
  }
  return { batch, limitedBy };
}

/** Output tokens per second a candidate sustains at its largest batch, prefill included. */
function throughputOf(sc: Scenario, c: Candidate): number {
  const { batch } = maxReplicaBatch(sc, c.prepared, c.replicaFit);
  const rf = replicaFitOf(sc, c.layout, batch);
  const p = prepare(sc.model, sc.chip, sc.family, sc.weights, sc.kv, c.layout, rf);
  const pre = sc.inputTokens > 0 && !sc.prefillElsewhere ? (batch > 1 ? prefillBusySeconds(p, batch, sc.inputTokens, 'expected', sc.outputTokens) : prefillSeconds(p, batch, sc.inputTokens, 'expected')) : 0;
  const round = (Number.isNaN(pre) ? 0 : pre) + sc.outputTokens * decodeSeconds(p, batch, decodeContext(sc), 'expected');
  return (c.layout.replicas * batch * sc.outputTokens) / round;
}

function best(cands: Candidate[]): Candidate | null {
  let b: Candidate | null = null;
  for (const c of cands) {
    if (!b || c.seconds < b.seconds * (1 - 1e-9) || (Math.abs(c.seconds - b.seconds) <= b.seconds * 1e-9 && chipsOf(c.layout) < chipsOf(b.layout))) b = c;
  }
  return b;
}

function finish(sc: Scenario, dep: ChipDeployment, c: Candidate, chipsGiven: number, mode: Deployment['mode'], systemCount: number): Deployment {
  const used = chipsOf(c.layout);
  const unit = sc.chip.unit;
  const plural = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? unit : `${unit}s`}`;
  const system = dep.system && systemCount > 0 ? { ...dep.system, count: systemCount } : null;
  let line = `${describeLayout(c.layout, dep.rule, unit)} on ${plural(used)}`;
  let note: string | undefined;
  if (used < chipsGiven) {
    const idle = chipsGiven - used;
    if (mode === 'given') {
      const bigger = dep.rule === 'tensor-parallel'
        ? tensorDegrees(sc.model, sc.chip, Number.MAX_SAFE_INTEGER).find((t) => t > c.layout.tensorParallel && t * c.layout.pipelineStages > chipsGiven)
        : undefined;
      note = `${plural(chipsGiven)}: served as ${describeLayout(c.layout, dep.rule, unit)} + ${idle.toLocaleString('en-US')} idle` +
        (bigger ? `, or TP${bigger} on ${plural(bigger * c.layout.pipelineStages)}` : '') + '.';
    } else if (system) {
      line += ` of ${system.count > 1 ? `${system.count} × ` : ''}${system.name}`;
    }
  } else if (system && mode !== 'given' && mode !== 'forced') {
    line += ` (${system.count > 1 ? `${system.count} × ` : ''}${system.name})`;
  }
  return { layout: c.layout, replicaFit: c.replicaFit, prepared: c.prepared, replicaBatch: c.replicaBatch, chipsUsed: used,
    chipsGiven, mode, rule: dep.rule, system, line, note };
}

/** Vendor-rule chips (spatial pipelines, single cards): replicas of the chips one replica needs, the rest spread. */
function vendorCandidate(sc: Scenario, rule: ChipDeployment['rule'], chips: number, batch: number, oneReplica: boolean): Candidate | null {
  const need = (b: number) => (rule === 'single' ? 1 : chipsFor(sc, b));
  let r = oneReplica ? 1 : Math.max(1, Math.floor(chips / need(1)));
  for (; r >= 1; r--) {
    const per = rule === 'single' ? 1 : Math.floor(chips / r);
    if (per >= need(Math.ceil(batch / r))) {
      const l = vendorLayout(rule, sc.model, per * r, per)!;
      // the compiler's split may copy MLA's KV across a stage's chips: fewer, larger replicas when it does not fit
      const c = evaluate(sc, l, batch);
      if (c.replicaFit.fits || r === 1) return c;
    }
  }
  return null;
}

/**
 * The deployment for a scenario: a forced layout; the chips given, laid out to serve the batch fastest; or, with no
 * chip count, by mode — fastest per user within the fewest standard systems that hold the model, one system's worth
 * laid out for throughput, or the fewest chips that fit. Null when nothing fits.
 */
export function chooseDeployment(sc: Scenario, dep: ChipDeployment, batch: number, throughput = false): Deployment | null {
  if (sc.layout) {
    const t = sc.layout.tensorParallel ?? 1, p = sc.layout.pipelineStages ?? 1, r = sc.layout.replicas ?? 1;
    const l: Layout = { tensorParallel: t, pipelineStages: p, replicas: r, expertParallel: sc.layout.expertParallel ?? expertParallel(sc, t),
      ...(sc.layout.attentionDataParallel && sc.model.moe && t > 1 ? { attentionDataParallel: true, ...(sc.layout.balancedPrefill ? { balancedPrefill: true } : {}) } : {}) };
    return finish(sc, dep, evaluate(sc, l, batch), chipsOf(l), 'forced', 0);
  }
  const mode: DeploymentMode = sc.mode ?? (throughput ? 'system' : 'fastest');
  let chips: number, systemCount = 0, given = false;
  if (sc.chips !== 'auto') { chips = sc.chips; given = true; }
  else {
    const need = dep.rule === 'single' ? 1 : chipsFor(sc, batch);
    const sys = dep.system;
    // whole tensor-parallel groups: room to round the chips that fit up to a legal degree
    const slack = dep.rule === 'tensor-parallel' ? Math.max(...tensorDegrees(sc.model, sc.chip, Number.MAX_SAFE_INTEGER)) - 1 : 0;
    if (mode === 'fewest' || !sys) chips = need + slack;
    else { systemCount = Math.ceil(need / sys.chips); chips = systemCount * sys.chips; }
    if (mode === 'fewest' && sys) systemCount = Math.ceil(need / sys.chips);
  }
  const oneReplica = !given && mode === 'fastest';
  let c: Candidate | null;
  if (dep.rule === 'tensor-parallel') {
    const cands = tensorParallelCandidates(sc, chips, batch, oneReplica);
    const pool = (mode === 'fewest' || !dep.system) && !given ? cands.filter((x) => chipsOf(x.layout) === Math.min(...cands.map((y) => chipsOf(y.layout)))) : cands;
    if (throughput) {
      let top = -1;
      c = null;
      for (const x of pool) { const r = throughputOf(sc, x); if (r > top * (1 + 1e-9)) { top = r; c = x; } }
    } else c = best(pool);
  } else {
    c = vendorCandidate(sc, dep.rule, chips, batch, oneReplica);
  }
  if (!c) return null;
  return finish(sc, dep, c, given ? chips : mode === 'fewest' || !dep.system ? chipsOf(c.layout) : chips, given ? 'given' : mode, systemCount);
}
