// The full answer for one scenario: the deployment, time to first token, decode speed, serving, energy and cost,
// each figure a range.
import type { ChipDeployment, Model, NumberFormat } from '../catalog/schema.ts';
import { chooseDeployment, decodeContext, maxReplicaBatch, replicaFitOf, type Deployment } from './deploy.ts';
import { fit, type FitResult } from './fit.ts';
import { chipDeployment, type DeploymentMode, type Layout } from './layout.ts';
import { decodeSeconds, decodeTerms, prefillBusySeconds, prefillSeconds, prefillTerms, prepare, type Prepared, type StepTerms } from './step.ts';
import type { Bottleneck, Case, Range, Scenario, SpecDecode } from './types.ts';

const CASES: readonly Case[] = ['low', 'expected', 'high'];
const HOURS_AMORTISED = 4 * 365 * 24; // purchase prices are spread over four years of continuous use

export interface Estimate {
  model: { id: string; name: string };
  chip: { id: string; name: string; unit: string };
  /** chips that serve (the layout's chips) */
  chips: number;
  weights: NumberFormat;
  kv: NumberFormat;
  /** sequences served at once across all replicas */
  batch: number;
  inputTokens: number;
  outputTokens: number;
  /** fit of one replica */
  fit: FitResult;
  layout: Layout | null;
  deployment: {
    mode: Deployment['mode']; rule: ChipDeployment['rule']; line: string; note: string | null;
    chipsGiven: number; system: { name: string; chips: number; count: number } | null;
  } | null;
  /** how many asked to be served, how many are served at once, and what limits it */
  serving: {
    requested: number | 'max'; concurrent: number; queued: number;
    limitedBy: 'asked' | 'memory' | 'engine' | 'latency target';
    /** with `queued` > 0: the longest wait for a slot, seconds */
    queueWaitSeconds: Range | null;
    tpotTargetMs: number | null;
  };
  /** ttftMs: on an idle deployment for one request; under the batch's load it also waits for the step in flight and
   *  shares its own step with the running decodes (about 1.5 time-per-token more) */
  prefill: {
    ttftMs: Range | null; idleTtftMs: Range | null; bottleneck: Bottleneck | null;
    /** when asked for: the network and API time a client adds through a public API, included in both TTFTs above */
    apiOverheadMs?: Range;
  } | null;
  decode: {
    tokensPerSecondPerUser: Range;
    tokensPerSecond: Range;
    /** time between a user's tokens: the decode step plus the share of other users' prefills scheduled into it */
    msPerToken: Range;
    /** one decode step alone */
    stepMs: Range;
    bottleneck: Bottleneck;
    /** the expected case, term by term, in milliseconds per step */
    termsMs: { memory: number; compute: number; interconnect: number; latencyFloor: number };
  } | null;
  specDecode: { tokensPerStep: number; speedup: Range } | null;
  energy: { joulesPerToken: Range | null; powerW: number | null };
  /** basis: what the price is — a rental rate, or a purchase price spread over four years (power and hosting excluded) */
  cost: { usdPerMillionTokens: Range | null; basis: 'rental' | 'purchase' | null; usdPerChipHour: number | null; purchaseUsd: number | null };
  /** what the speed rests on: measured rows, vendor claims only, or constants borrowed from another family */
  evidence: 'measured' | 'vendor claim' | 'borrowed' | null;
  notes: string[];
}

/** A range from three case values (in any order of size): low and high are the extremes, expected the middle case. */
export function range3(a: number, expected: number, c: number): Range {
  return a <= c
    ? { low: a < expected ? a : expected, expected, high: c > expected ? c : expected }
    : { low: c < expected ? c : expected, expected, high: a > expected ? a : expected };
}

function plus(a: Range, b: Range): Range {
  return { low: a.low + b.low, expected: a.expected + b.expected, high: a.high + b.high };
}

export function range(values: number[]): Range {
  return range3(values[0], values[1], values[2]);
}

/** Expected tokens emitted per verification step with draft length k and per-token acceptance a. */
export function tokensPerStep(spec: SpecDecode): number {
  const a = spec.acceptance, k = spec.draftLength;
  return a >= 1 ? k + 1 : (1 - Math.pow(a, k + 1)) / (1 - a);
}

/** The per-token acceptance `a` that makes `length` tokens per verification step at draft length `k` (inverse of tokensPerStep). */
export function acceptanceFromLength(length: number, k: number): number {
  if (length <= 1) return 0;
  if (length >= k + 1) return 1;
  let lo = 0, hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (tokensPerStep({ method: 'mtp', draftLength: k, acceptance: mid }) < length) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Decode seconds per generated token per sequence for one case, with speculative decoding if asked for. */
function tokenSeconds(p: Prepared, draft: Prepared | null, spec: SpecDecode | undefined, batch: number, ctx: number, c: Case): number {
  if (!spec) return decodeSeconds(p, batch, ctx, c);
  const verify = decodeSeconds(p, batch, ctx, c, spec.draftLength + 1);
  const draftStep = draft ? decodeSeconds(draft, batch, ctx, c) : verify / p.layers; // MTP: about one extra layer
  return (verify + spec.draftLength * draftStep) / tokensPerStep(spec);
}

function noEstimate(sc: Scenario, f: FitResult, notes: string[]): Estimate {
  return { model: { id: sc.model.id, name: sc.model.name }, chip: { id: sc.chip.id, name: sc.chip.name, unit: sc.chip.unit },
    chips: f.chips, weights: sc.weights, kv: sc.kv, batch: f.batch, inputTokens: sc.inputTokens, outputTokens: sc.outputTokens, fit: f,
    layout: null, deployment: null,
    serving: { requested: sc.batch, concurrent: 0, queued: 0, limitedBy: 'memory', queueWaitSeconds: null, tpotTargetMs: sc.tpotTargetMs ?? null },
    prefill: null, decode: null, specDecode: null,
    energy: { joulesPerToken: null, powerW: sc.chip.powerW?.value ?? null }, cost: { usdPerMillionTokens: null, basis: null, usdPerChipHour: null, purchaseUsd: null },
    evidence: sc.family.evidence ?? null, notes };
}

export function estimate(sc: Scenario): Estimate {
  const context = sc.inputTokens + sc.outputTokens;
  const notes: string[] = [];
  const asked = sc.batch;
  const probe = fit({ model: sc.model, chip: sc.chip, weights: sc.weights, kv: sc.kv, contextTokens: context,
    batch: asked === 'max' ? 1 : asked, chips: sc.chips, reserveFraction: sc.reserveFraction });
  if (probe.refused) return noEstimate(sc, probe, notes);
  const dep = chipDeployment(sc.chip);

  // choose the deployment for the batch asked; if the chips given, or a layout given outright (a published deployment,
  // whose batch is a cap), cannot hold it, serve what fits and queue the rest
  let limitedBy: Estimate['serving']['limitedBy'] = 'asked';
  let d = chooseDeployment(sc, dep, asked === 'max' ? 1 : asked, asked === 'max');
  const short = asked !== 'max' && (sc.layout ? d !== null && !d.replicaFit.fits : d === null && sc.chips !== 'auto');
  if (short) {
    const one = chooseDeployment(sc, dep, 1);
    if (one && (!sc.layout || one.replicaFit.fits)) {
      const capacity = (one.replicaFit.maxBatchAtContext ?? 1) * one.layout.replicas;
      d = capacity >= 1 ? chooseDeployment(sc, dep, capacity) : null;
      limitedBy = 'memory';
    }
  }
  if (!d) {
    const f = probe.fits ? fit({ model: sc.model, chip: sc.chip, weights: sc.weights, kv: sc.kv, contextTokens: context, batch: 1, chips: sc.chips, reserveFraction: sc.reserveFraction }) : probe;
    return noEstimate(sc, f.fits ? { ...f, fits: false, reason: `no layout of ${f.chips} ${f.chips === 1 ? sc.chip.unit : `${sc.chip.unit}s`} that divides the model's attention heads holds it` } : f, notes);
  }
  if (!d.replicaFit.fits) return noEstimate(sc, d.replicaFit, notes);

  const avgCtx = decodeContext(sc);
  let p = d.prepared;
  let replicaBatch = d.replicaBatch;
  const R = d.layout.replicas;
  if (asked === 'max') {
    // as many as memory holds, no more than the engine schedules, and no more than keeps a step within the target
    const m = maxReplicaBatch(sc, p, d.replicaFit);
    replicaBatch = m.batch;
    limitedBy = m.limitedBy;
    const rf = replicaFitOf(sc, d.layout, replicaBatch);
    d = { ...d, replicaFit: rf, replicaBatch };
    p = prepare(sc.model, sc.chip, sc.family, sc.weights, sc.kv, d.layout, rf);
  }
  const served = asked === 'max' ? replicaBatch * R : Math.min(asked, replicaBatch * R);
  const queued = asked === 'max' ? 0 : Math.max(0, asked - served);

  const draft = sc.specDecode?.method === 'draft' && sc.specDecode.draftModel ? draftPrepared(sc, sc.specDecode.draftModel, d, context) : null;
  const step = [0, 0, 0], round = [0, 0, 0], ttft = [0, 0, 0], tpot = [0, 0, 0];
  let ttftKnown = true;
  for (let i = 0; i < 3; i++) {
    const c = CASES[i];
    step[i] = tokenSeconds(p, draft, sc.specDecode, replicaBatch, avgCtx, c);
    let prefillRound = 0;
    if (sc.inputTokens > 0) {
      const p1 = prefillSeconds(p, 1, sc.inputTokens, c);
      if (Number.isNaN(p1)) ttftKnown = false;
      else {
        ttft[i] = p1;
        prefillRound = sc.prefillElsewhere ? 0 : replicaBatch > 1 ? prefillBusySeconds(p, replicaBatch, sc.inputTokens, c, sc.outputTokens) : p1;
      }
    }
    round[i] = prefillRound + sc.outputTokens * step[i];
    // continuous batching: each user's decode steps also carry the other users' prefills, spread over its output
    tpot[i] = step[i] + (replicaBatch > 1 && sc.outputTokens > 0 ? ((replicaBatch - 1) / replicaBatch) * prefillRound / sc.outputTokens : 0);
  }
  const expectedTerms: StepTerms = sc.specDecode
    ? decodeTerms(p, replicaBatch, avgCtx, 'expected', sc.specDecode.draftLength + 1)
    : decodeTerms(p, replicaBatch, avgCtx, 'expected');
  const ttftTerms = sc.inputTokens > 0 && ttftKnown ? prefillTerms(p, 1, sc.inputTokens, 'expected') : null;

  if (d.replicaFit.maxBatchAtContext === null && replicaBatch > 1) notes.push(`${sc.chip.name} does not publish the size of the memory that holds the KV cache, so whether ${replicaBatch} sequences fit is unknown; the figures assume they do.`);
  if (!ttftKnown) notes.push(`${sc.chip.name} has no published compute figure, so time to first token is unknown and aggregate throughput leaves prefill out.`);
  if (d.note) notes.push(d.note);
  const claimed = sc.family.evidence === 'vendor claim' ? sc.family.evidenceBatches ?? [] : [];
  if (claimed.length && !claimed.some((b) => served >= b * 0.8 && served <= b * 1.25)) {
    notes.push(`${sc.chip.name}'s constants rest on vendor claims stated at batch ${claimed.join(' and ')}; at batch ${served.toLocaleString('en-US')} this figure is an extrapolation from a vendor claim.`);
  }

  const perUser = range3(1 / tpot[0], 1 / tpot[1], 1 / tpot[2]);
  // with no prompt the first token is the first decode step
  const idleTtft = sc.inputTokens === 0 ? range3(step[0] * 1e3, step[1] * 1e3, step[2] * 1e3) : ttftKnown ? range3(ttft[0] * 1e3, ttft[1] * 1e3, ttft[2] * 1e3) : null;
  // under load a request also waits for the steps in flight: each case's own prefill and time per token
  const first = (i: number) => (sc.inputTokens === 0 ? step[i] : ttft[i]) + 1.5 * tpot[i];
  const loadedTtft = idleTtft && replicaBatch > 1 ? range3(first(0) * 1e3, first(1) * 1e3, first(2) * 1e3) : idleTtft;
  const api = sc.apiOverheadMs;
  if (api && idleTtft) notes.push(`Time to first token includes about ${Math.round(api.expected)} ms of network and API time, as a client measures it through a public API (a term fitted to TTFTs measured that way); on the chips alone it is about ${idleTtft.expected < 10 ? idleTtft.expected.toFixed(1) : Math.round(idleTtft.expected)} ms.`);
  const busyReplicas = Math.min(R, Math.ceil(served / replicaBatch));
  const out = replicaBatch * sc.outputTokens * busyReplicas;
  const aggregate = range3(out / round[0], out / round[1], out / round[2]);
  const chipsUsed = d.chipsUsed;
  const power = sc.chip.powerW?.value ?? null;
  const joules = power === null ? null : range3((power * chipsUsed) / aggregate.low, (power * chipsUsed) / aggregate.expected, (power * chipsUsed) / aggregate.high);
  // one cost basis for every chip (data/prices.json: on-demand rental per chip-hour); without that file, the chip's own
  // rental price, else its purchase price over four years
  const pf = sc.chip.priceFacts;
  const hourly = pf ? pf.usdPerChipHour : sc.chip.price.hourlyUsd?.value ?? null;
  const purchase = pf ? null : sc.chip.price.purchaseUsd?.value ?? null;
  const perChipHour = hourly ?? (purchase !== null ? purchase / HOURS_AMORTISED : null);
  const k = perChipHour === null ? 0 : (perChipHour * chipsUsed * 1e6) / 3600;
  const cost = perChipHour === null ? null : range3(k / aggregate.low, k / aggregate.expected, k / aggregate.high);
  const basis = hourly !== null ? 'rental' as const : purchase !== null ? 'purchase' as const : null;
  const request = [0, 1, 2].map((i) => (ttftKnown ? ttft[i] : 0) + sc.outputTokens * step[i]);
  const waves = queued > 0 ? Math.ceil(queued / served) : 0;

  let specDecode: Estimate['specDecode'] = null;
  if (sc.specDecode) {
    const base = CASES.map((c) => decodeSeconds(p, replicaBatch, avgCtx, c));
    specDecode = { tokensPerStep: tokensPerStep(sc.specDecode), speedup: range(base.map((b, i) => b / step[i])) };
  }
  const e = expectedTerms;
  return {
    model: { id: sc.model.id, name: sc.model.name }, chip: { id: sc.chip.id, name: sc.chip.name, unit: sc.chip.unit },
    chips: chipsUsed, weights: sc.weights, kv: sc.kv, batch: served, inputTokens: sc.inputTokens, outputTokens: sc.outputTokens, fit: d.replicaFit,
    layout: d.layout,
    deployment: { mode: d.mode, rule: d.rule, line: d.line, note: d.note ?? null, chipsGiven: d.chipsGiven, system: d.system },
    serving: { requested: asked, concurrent: served, queued, limitedBy, tpotTargetMs: sc.tpotTargetMs ?? null,
      queueWaitSeconds: waves ? range3(waves * request[0], waves * request[1], waves * request[2]) : null },
    // with no prompt the first token is the first decode step
    prefill: api
      ? { ttftMs: loadedTtft && plus(loadedTtft, api), idleTtftMs: idleTtft && plus(idleTtft, api), bottleneck: ttftTerms?.bottleneck ?? null, apiOverheadMs: api }
      : { ttftMs: loadedTtft, idleTtftMs: idleTtft, bottleneck: ttftTerms?.bottleneck ?? null },
    decode: {
      tokensPerSecondPerUser: perUser, tokensPerSecond: aggregate, msPerToken: range3(tpot[0] * 1e3, tpot[1] * 1e3, tpot[2] * 1e3), stepMs: range3(step[0] * 1e3, step[1] * 1e3, step[2] * 1e3), bottleneck: e.bottleneck,
      termsMs: { memory: e.memory * 1e3, compute: e.compute * 1e3, interconnect: e.interconnect * 1e3, latencyFloor: e.latencyFloor * 1e3 },
    },
    specDecode,
    energy: { joulesPerToken: joules, powerW: power },
    cost: { usdPerMillionTokens: cost, basis, usdPerChipHour: perChipHour, purchaseUsd: purchase },
    evidence: sc.family.evidence ?? null,
    notes,
  };
}

function draftPrepared(sc: Scenario, draftModel: Model, d: Deployment, context: number): Prepared {
  const chips = d.layout.tensorParallel * d.layout.pipelineStages;
  const df = fit({ model: draftModel, chip: sc.chip, weights: sc.weights, kv: sc.kv, contextTokens: context, batch: 1, chips, reserveFraction: sc.reserveFraction });
  return prepare(draftModel, sc.chip, sc.family, sc.weights, sc.kv, d.layout, df);
}

export type { DeploymentMode };
