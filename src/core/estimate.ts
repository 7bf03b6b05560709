// The full answer for one scenario: fit, time to first token, decode speed, energy and cost, each as a range.
import type { Model, NumberFormat } from '../catalog/schema.ts';
import { fit, type FitResult } from './fit.ts';
import { decodeStep, decodeWork, layout, prefillWork, secondsFor, timeFor, type Layout, type StepTerms } from './perf.ts';
import type { Bottleneck, Case, Range, Scenario, SpecDecode } from './types.ts';

const CASES: readonly Case[] = ['low', 'expected', 'high'];
const HOURS_AMORTISED = 4 * 365 * 24; // purchase prices are spread over four years of continuous use

export interface Estimate {
  model: { id: string; name: string };
  chip: { id: string; name: string; unit: string };
  chips: number;
  weights: NumberFormat;
  kv: NumberFormat;
  batch: number;
  inputTokens: number;
  outputTokens: number;
  fit: FitResult;
  layout: { tensorParallel: number; pipelineStages: number } | null;
  prefill: { ttftMs: Range | null; bottleneck: Bottleneck | null } | null;
  decode: {
    tokensPerSecondPerUser: Range;
    tokensPerSecond: Range;
    msPerToken: Range;
    bottleneck: Bottleneck;
    /** the expected case, term by term, in milliseconds per step */
    termsMs: { memory: number; compute: number; interconnect: number; latencyFloor: number };
  } | null;
  specDecode: { tokensPerStep: number; speedup: Range } | null;
  energy: { joulesPerToken: Range | null; powerW: number | null };
  /** basis: what the price is — a rental rate, or a purchase price spread over four years (power and hosting excluded) */
  cost: { usdPerMillionTokens: Range | null; basis: 'rental' | 'purchase' | null; usdPerChipHour: number | null; purchaseUsd: number | null };
  notes: string[];
}

/** A range from three case values (in any order of size): low and high are the extremes, expected the middle case. */
export function range3(a: number, expected: number, c: number): Range {
  return a <= c
    ? { low: a < expected ? a : expected, expected, high: c > expected ? c : expected }
    : { low: c < expected ? c : expected, expected, high: a > expected ? a : expected };
}

export function range(values: number[]): Range {
  return range3(values[0], values[1], values[2]);
}

/** Decode step for one case, with speculative decoding if asked for: seconds per generated token per sequence. */
function perTokenSeconds(l: Layout, draft: Layout | null, spec: SpecDecode, batch: number, ctx: number, c: Case): { seconds: number; terms: StepTerms } {
  const verify = decodeStep(l, batch, ctx, c, spec.draftLength + 1);
  const draftStep = draft ? decodeStep(draft, batch, ctx, c).seconds : verify.seconds / l.model.layers; // MTP: about one extra layer
  return { seconds: (verify.seconds + spec.draftLength * draftStep) / tokensPerStep(spec), terms: verify };
}

/** Expected tokens emitted per verification step with draft length k and per-token acceptance a. */
export function tokensPerStep(spec: SpecDecode): number {
  const a = spec.acceptance, k = spec.draftLength;
  return a >= 1 ? k + 1 : (1 - Math.pow(a, k + 1)) / (1 - a);
}

export function estimate(sc: Scenario): Estimate {
  const context = sc.inputTokens + sc.outputTokens;
  const f = fit({ model: sc.model, chip: sc.chip, weights: sc.weights, kv: sc.kv, contextTokens: context,
    batch: sc.batch, chips: sc.chips, reserveFraction: sc.reserveFraction });
  const notes: string[] = [];
  if (!f.fits) {
    return { model: { id: sc.model.id, name: sc.model.name }, chip: { id: sc.chip.id, name: sc.chip.name, unit: sc.chip.unit },
      chips: f.chips, weights: sc.weights, kv: sc.kv, batch: f.batch, inputTokens: sc.inputTokens, outputTokens: sc.outputTokens, fit: f,
      layout: null, prefill: null, decode: null, specDecode: null,
      energy: { joulesPerToken: null, powerW: sc.chip.powerW?.value ?? null }, cost: { usdPerMillionTokens: null, basis: null, usdPerChipHour: null, purchaseUsd: null }, notes };
  }
  const l = layout(sc.model, sc.chip, sc.family, sc.weights, sc.kv, f);
  const draft = sc.specDecode?.method === 'draft' && sc.specDecode.draftModel ? draftLayout(sc, sc.specDecode.draftModel, f.chips, context) : null;
  const avgCtx = sc.inputTokens + sc.outputTokens / 2;
  const B = f.batch;

  // the three cases, pessimistic to optimistic
  const step = [0, 0, 0], round = [0, 0, 0], ttft = [0, 0, 0];
  let ttftKnown = true;
  let expectedTerms: StepTerms | null = null, ttftBottleneck: Bottleneck | null = null;
  // the work is the same in every case; only the constants that time it differ
  const decodeW = sc.specDecode ? null : decodeWork(l, B, avgCtx);
  const prefill1 = sc.inputTokens > 0 ? prefillWork(l, 1, sc.inputTokens) : null;
  const prefillB = prefill1 && B > 1 ? prefillWork(l, B, sc.inputTokens) : prefill1;
  for (let i = 0; i < 3; i++) {
    const c = CASES[i];
    const expected = c === 'expected';
    let seconds: number;
    if (sc.specDecode) {
      const t = perTokenSeconds(l, draft, sc.specDecode, B, avgCtx, c);
      seconds = t.seconds;
      if (expected) expectedTerms = t.terms;
    } else if (expected) {
      expectedTerms = timeFor(l, decodeW!, c)!;
      seconds = expectedTerms.seconds;
    } else seconds = secondsFor(l, decodeW!, c);
    step[i] = seconds;
    let prefillRound = 0;
    if (prefill1) {
      let p1: number;
      if (expected) {
        const t = timeFor(l, prefill1, c, true);
        ttftBottleneck = t?.bottleneck ?? null;
        p1 = t ? t.seconds : NaN;
      } else p1 = secondsFor(l, prefill1, c, true);
      if (Number.isNaN(p1)) ttftKnown = false; else ttft[i] = p1 + seconds;
      const pb = prefillB === prefill1 ? p1 : secondsFor(l, prefillB!, c, true);
      prefillRound = Number.isNaN(pb) ? 0 : pb;
    }
    round[i] = prefillRound + sc.outputTokens * seconds;
  }
  if (f.maxBatchAtContext === null && B > 1) notes.push(`${sc.chip.name} does not publish the size of the memory that holds the KV cache, so whether ${B} sequences fit is unknown; the figures assume they do.`);
  if (!ttftKnown) notes.push(`${sc.chip.name} has no published compute figure, so time to first token is unknown and aggregate throughput leaves prefill out.`);

  const msPerToken = range3(step[0] * 1e3, step[1] * 1e3, step[2] * 1e3);
  const perUser = range3(1 / step[0], 1 / step[1], 1 / step[2]);
  const out = B * sc.outputTokens;
  const aggregate = range3(out / round[0], out / round[1], out / round[2]);
  const power = sc.chip.powerW?.value ?? null;
  const joules = power === null ? null : range3((power * f.chips) / aggregate.low, (power * f.chips) / aggregate.expected, (power * f.chips) / aggregate.high);
  const hourly = sc.chip.price.hourlyUsd?.value ?? null;
  const purchase = sc.chip.price.purchaseUsd?.value ?? null;
  const perChipHour = hourly ?? (purchase !== null ? purchase / HOURS_AMORTISED : null);
  const k = perChipHour === null ? 0 : (perChipHour * f.chips * 1e6) / 3600;
  const cost = perChipHour === null ? null : range3(k / aggregate.low, k / aggregate.expected, k / aggregate.high);
  const basis = hourly !== null ? 'rental' as const : purchase !== null ? 'purchase' as const : null;

  let specDecode: Estimate['specDecode'] = null;
  if (sc.specDecode) {
    const base = CASES.map((c) => decodeStep(l, B, avgCtx, c).seconds);
    specDecode = { tokensPerStep: tokensPerStep(sc.specDecode), speedup: range(base.map((b, i) => b / step[i])) };
  }
  const e = expectedTerms as StepTerms;
  return {
    model: { id: sc.model.id, name: sc.model.name }, chip: { id: sc.chip.id, name: sc.chip.name, unit: sc.chip.unit },
    chips: f.chips, weights: sc.weights, kv: sc.kv, batch: f.batch, inputTokens: sc.inputTokens, outputTokens: sc.outputTokens, fit: f,
    layout: { tensorParallel: l.tensorParallel, pipelineStages: l.pipelineStages },
    // with no prompt the first token is the first decode step
    prefill: { ttftMs: sc.inputTokens === 0 ? range3(step[0] * 1e3, step[1] * 1e3, step[2] * 1e3) : ttftKnown ? range3(ttft[0] * 1e3, ttft[1] * 1e3, ttft[2] * 1e3) : null, bottleneck: ttftBottleneck },
    decode: {
      tokensPerSecondPerUser: perUser, tokensPerSecond: aggregate, msPerToken, bottleneck: e.bottleneck,
      termsMs: { memory: e.memory * 1e3, compute: e.compute * 1e3, interconnect: e.interconnect * 1e3, latencyFloor: e.latencyFloor * 1e3 },
    },
    specDecode,
    energy: { joulesPerToken: joules, powerW: power },
    cost: { usdPerMillionTokens: cost, basis, usdPerChipHour: perChipHour, purchaseUsd: purchase },
    notes,
  };
}

function draftLayout(sc: Scenario, draftModel: Model, chips: number, context: number): Layout {
  const df = fit({ model: draftModel, chip: sc.chip, weights: sc.weights, kv: sc.kv, contextTokens: context,
    batch: 1, chips, reserveFraction: sc.reserveFraction });
  return layout(draftModel, sc.chip, sc.family, sc.weights, sc.kv, df);
}

