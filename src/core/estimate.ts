// The full answer for one scenario: fit, time to first token, decode speed, energy and cost, each as a range.
import type { Chip, Model, NumberFormat } from '../catalog/schema.ts';
import { fit, type FitResult } from './fit.ts';
import { decodeStep, layout, prefill, type Layout, type StepTerms } from './perf.ts';
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
  cost: { usdPerMillionTokens: Range | null; basis: string | null };
  notes: string[];
}

export function range(values: number[]): Range {
  const [low, expected, high] = [Math.min(...values), values[1], Math.max(...values)];
  return { low, expected, high };
}

function mapRange(r: Range, f: (x: number) => number): Range {
  return range([f(r.low), f(r.expected), f(r.high)]);
}

/** Decode step for one case, with speculative decoding if asked for: seconds per generated token per sequence. */
function perTokenSeconds(l: Layout, draft: Layout | null, spec: SpecDecode | undefined, batch: number, ctx: number, c: Case): { seconds: number; terms: StepTerms } {
  if (!spec) {
    const terms = decodeStep(l, batch, ctx, c);
    return { seconds: terms.seconds, terms };
  }
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
  const head = {
    model: { id: sc.model.id, name: sc.model.name }, chip: { id: sc.chip.id, name: sc.chip.name, unit: sc.chip.unit },
    chips: f.chips, weights: sc.weights, kv: sc.kv, batch: f.batch, inputTokens: sc.inputTokens, outputTokens: sc.outputTokens, fit: f,
  };
  const notes: string[] = [];
  if (!f.fits) {
    return { ...head, layout: null, prefill: null, decode: null, specDecode: null,
      energy: { joulesPerToken: null, powerW: sc.chip.powerW?.value ?? null }, cost: { usdPerMillionTokens: null, basis: null }, notes };
  }
  const l = layout(sc.model, sc.chip, sc.family, sc.weights, sc.kv, f);
  const draft = sc.specDecode?.method === 'draft' && sc.specDecode.draftModel ? draftLayout(sc, sc.specDecode.draftModel, f.chips, context) : null;
  const avgCtx = sc.inputTokens + sc.outputTokens / 2;
  const B = f.batch;

  const step: number[] = [], ttft: (number | null)[] = [], round: number[] = [];
  let expectedTerms: StepTerms | null = null, ttftBottleneck: Bottleneck | null = null;
  for (const c of CASES) {
    const t = perTokenSeconds(l, draft, sc.specDecode, B, avgCtx, c);
    step.push(t.seconds);
    const p1 = sc.inputTokens > 0 ? prefill(l, 1, sc.inputTokens, c) : null;
    ttft.push(sc.inputTokens === 0 ? 0 : p1 ? p1.seconds + t.seconds : null);
    const pb = sc.inputTokens > 0 ? prefill(l, B, sc.inputTokens, c) : null;
    round.push((pb?.seconds ?? 0) + sc.outputTokens * t.seconds);
    if (c === 'expected') { expectedTerms = t.terms; ttftBottleneck = p1?.bottleneck ?? null; }
  }
  if (sc.inputTokens > 0 && ttft.includes(null)) notes.push(`${sc.chip.name} has no published compute figure, so time to first token is unknown and aggregate throughput leaves prefill out.`);

  const msPerToken = range(step.map((s) => s * 1e3));
  const perUser = range(step.map((s) => 1 / s));
  const aggregate = range(round.map((r) => (B * sc.outputTokens) / r));
  const power = sc.chip.powerW?.value ?? null;
  const joules = power === null ? null : mapRange(aggregate, (tps) => (power * f.chips) / tps);
  const hourly = sc.chip.price.hourlyUsd?.value ?? null;
  const purchase = sc.chip.price.purchaseUsd?.value ?? null;
  const perChipHour = hourly ?? (purchase !== null ? purchase / HOURS_AMORTISED : null);
  const cost = perChipHour === null ? null : mapRange(aggregate, (tps) => (perChipHour * f.chips * 1e6) / (tps * 3600));
  const basis = hourly !== null ? `rental at $${hourly.toFixed(2)} per ${sc.chip.unit}-hour`
    : purchase !== null ? `purchase price $${Math.round(purchase).toLocaleString('en-US')} per ${sc.chip.unit} over 4 years, power and hosting excluded` : null;

  let specDecode: Estimate['specDecode'] = null;
  if (sc.specDecode) {
    const base = CASES.map((c) => decodeStep(l, B, avgCtx, c).seconds);
    specDecode = { tokensPerStep: tokensPerStep(sc.specDecode), speedup: range(base.map((b, i) => b / step[i])) };
  }
  const e = expectedTerms as StepTerms;
  return {
    ...head,
    layout: { tensorParallel: l.tensorParallel, pipelineStages: l.pipelineStages },
    prefill: { ttftMs: ttft.includes(null) ? null : range((ttft as number[]).map((s) => s * 1e3)), bottleneck: ttftBottleneck },
    decode: {
      tokensPerSecondPerUser: perUser, tokensPerSecond: aggregate, msPerToken, bottleneck: e.bottleneck,
      termsMs: { memory: e.memory * 1e3, compute: e.compute * 1e3, interconnect: e.interconnect * 1e3, latencyFloor: e.latencyFloor * 1e3 },
    },
    specDecode,
    energy: { joulesPerToken: joules, powerW: power },
    cost: { usdPerMillionTokens: cost, basis },
    notes,
  };
}

function draftLayout(sc: Scenario, draftModel: Model, chips: number, context: number): Layout {
  const df = fit({ model: draftModel, chip: sc.chip, weights: sc.weights, kv: sc.kv, contextTokens: context,
    batch: 1, chips, reserveFraction: sc.reserveFraction });
  return layout(draftModel, sc.chip, sc.family, sc.weights, sc.kv, df);
}

export type { Chip, Model };
