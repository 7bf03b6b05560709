// Predicted vs measured for every published measurement: the honest check on the model.
import type { Chip, Family, Measurement, Model } from '../catalog/schema.ts';
import { acceptanceFromLength, estimate } from './estimate.ts';
import { defaultFormats } from './formats.ts';
import type { Range } from './types.ts';

export interface Check {
  measurement: Measurement;
  /** the row was measured with speculative decoding and is predicted as served (its published draft length and acceptance) */
  asServed?: boolean;
  predicted: Range | null;
  /** (predicted − measured) / measured, on the expected value */
  error: number | null;
  /** why there is no prediction */
  reason?: string;
}

function scale(r: Range, k: number): Range {
  return { low: r.low * k, expected: r.expected * k, high: r.high * k };
}

/** The model's prediction for a measurement, on the deployment it was measured on: its chip count and layout where
 *  published (else what the vendor would deploy), its batch, and its latency bound (none for offline runs). */
export function predict(m: Measurement, model: Model, chip: Chip, family: Family, reserveFraction: number, draftModel?: Model, apiOverheadMs?: Range): Check {
  const f = defaultFormats(chip, m.weights);
  const l = m.layout;
  const layout = l && (l.tensorParallel || l.pipelineStages || l.replicas)
    ? { tensorParallel: l.tensorParallel ?? 1, pipelineStages: l.pipelineStages ?? 1,
      replicas: l.replicas ?? (m.chips ? Math.max(1, Math.floor(m.chips / ((l.tensorParallel ?? 1) * (l.pipelineStages ?? 1)))) : 1),
      ...(l.expertParallel ? { expertParallel: l.expertParallel } : {}), ...(l.attentionDataParallel ? { attentionDataParallel: true } : {}), ...(l.balancedPrefill ? { balancedPrefill: true } : {}) }
    : undefined;
  // speculative decoding as the row was served, where its draft length and acceptance are published
  const sd = m.specDecodeConfig;
  const head = sd && sd.method !== 'draft';
  const specDecode = sd?.acceptanceLength && sd.draftLength !== null && (head || draftModel)
    ? { method: head ? 'mtp' as const : 'draft' as const, draftModel: head ? undefined : draftModel, draftLength: sd.draftLength,
      acceptance: acceptanceFromLength(sd.acceptanceLength.value, sd.draftLength as number) }
    : undefined;
  const e = estimate({
    model, chip, family, weights: m.weights, kv: m.kv ?? f.kv, inputTokens: m.inputTokens, outputTokens: m.outputTokens,
    batch: m.batch, chips: m.chips ?? 'auto', reserveFraction, layout, tpotTargetMs: m.tpotMs ?? null, specDecode,
    // a TTFT measured through a public API includes the network and API time
    apiOverheadMs: m.measuredVia === 'api' && m.metric === 'ttftMs' ? apiOverheadMs : undefined,
    ...(m.prefillElsewhere ? { prefillElsewhere: true } : {}),
    ...(m.decodeContext ? { decodeContextTokens: m.decodeContext.tokens } : {}),
  });
  if (!e.decode) return { measurement: m, predicted: null, error: null, reason: e.fit.reason ?? 'does not fit' };
  const predicted = m.metric === 'tokensPerSecondPerUser' ? e.decode.tokensPerSecondPerUser
    : m.metric === 'tokensPerSecondAggregate' ? e.decode.tokensPerSecond
    : m.metric === 'tokensPerSecondTotal' ? scale(e.decode.tokensPerSecond, (m.inputTokens + m.outputTokens) / m.outputTokens)
    : e.prefill?.ttftMs ?? null;
  if (!predicted) return { measurement: m, predicted: null, error: null, reason: 'time to first token unknown (compute not published)' };
  return { measurement: m, predicted, error: (predicted.expected - m.value) / m.value, ...(specDecode ? { asServed: true } : {}) };
}

export interface Summary { rows: number; predicted: number; medianAbsError: number | null; within25: number | null }

export function summarise(checks: Check[]): Summary {
  const errs = checks.filter((c) => c.error !== null).map((c) => Math.abs(c.error as number)).sort((a, b) => a - b);
  const n = errs.length;
  const median = n === 0 ? null : n % 2 ? errs[(n - 1) / 2] : (errs[n / 2 - 1] + errs[n / 2]) / 2;
  return { rows: checks.length, predicted: n, medianAbsError: median, within25: n ? errs.filter((e) => e <= 0.25).length / n : null };
}
