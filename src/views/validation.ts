// The validation report, a view: runs the core's predictions against every measurement in data/.
import { leaveOneOut, type LeaveOneOut } from '../core/calibrate.ts';
import { predict, summarise, type Check, type Summary } from '../core/validate.ts';
import type { Catalog } from '../catalog/load.ts';
import type { Measurement } from '../catalog/schema.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Reply, type Table } from '../reply/reply.ts';

export interface Validation {
  checks: Check[]; calibration: Summary; validation: Summary;
  /** validation rows measured with speculative decoding (predicted as served where its acceptance is published,
   *  else against the baseline model), and the rest */
  validationSpecDecode: Summary; validationAsServed: Summary; validationBaseline: Summary;
  /** leave-one-out on the calibration rows (when asked for: it refits each family once per row) */
  leaveOneOut: LeaveOneOut[] | null; leaveOneOutSummary: Summary | null;
}

/** One measurement predicted on the deployment it was measured on, with the catalog's reserve, draft model and API term. */
export function checkRow(cat: Catalog, m: Measurement): Check {
  const chip = cat.chipById.get(m.chip)!;
  const draft = m.specDecodeConfig?.draftModel ? cat.modelById.get(m.specDecodeConfig.draftModel) : undefined;
  return predict(m, cat.modelById.get(m.model)!, chip, cat.family(chip), cat.efficiency.runtimeReserve.fraction, draft, cat.efficiency.apiOverheadMs);
}

/** Every measurement predicted; with `loo`, each calibration row also predicted from a fit that never saw it. */
export function runValidation(cat: Catalog, opts: { loo?: boolean } = {}): Validation {
  const checks = cat.measurements.map((m) => checkRow(cat, m));
  const cal = checks.filter((c) => c.measurement.use === 'calibration');
  const val = checks.filter((c) => c.measurement.use === 'validation');
  const loo = opts.loo
    ? leaveOneOut({ plan: cat.plan, measurements: cat.measurements, chips: cat.chipById, models: cat.modelById })
    : null;
  return {
    checks, calibration: summarise(cal), validation: summarise(val),
    validationSpecDecode: summarise(val.filter((c) => c.measurement.specDecode)),
    validationAsServed: summarise(val.filter((c) => c.asServed)),
    validationBaseline: summarise(val.filter((c) => !c.measurement.specDecode)),
    leaveOneOut: loo,
    leaveOneOutSummary: loo ? summarise(loo.map((l) => ({ error: l.error } as Check))) : null,
  };
}

const METRIC: Record<string, string> = { tokensPerSecondPerUser: 'tok/s/user', tokensPerSecondAggregate: 'tok/s agg', tokensPerSecondTotal: 'tok/s in+out', ttftMs: 'ms TTFT' };

const SHORT: Record<string, string> = { tokensPerSecondPerUser: 'tok/s/u', tokensPerSecondAggregate: 'tok/s', tokensPerSecondTotal: 'tok/s', ttftMs: 'ms' };

export function validationTable(v: Validation, which?: 'calibration' | 'validation'): Table {
  const checks = v.checks.filter((c) => !which || c.measurement.use === which);
  const err = (c: Check) => (c.error === null ? 'n/a' : `${c.error >= 0 ? '+' : ''}${Math.round(c.error * 100)}%`);
  const loo = new Map((v.leaveOneOut ?? []).map((l) => [l.row, l]));
  const rows = checks.map((c) => {
    const m = c.measurement, unit = METRIC[m.metric];
    const l = loo.get(m.id);
    const use = m.use === 'calibration'
      ? `fitted${l ? `; left out: ${l.error === null ? `n/a (${l.reason})` : `${l.error >= 0 ? '+' : ''}${Math.round(l.error * 100)}%`}` : ''}`
      : c.asServed ? `check (as served: spec. decoding, ${m.specDecodeConfig!.draftLength} drafted, ${fmt.num(m.specDecodeConfig!.acceptanceLength!.value)} tokens/step)`
      : m.specDecode ? 'check (spec. decoding; acceptance unpublished: baseline model)' : 'check';
    return [
      m.id, `${m.model} on ${m.chips ?? '?'}× ${m.chip}, ${m.weights}`, `${fmt.num(m.value)} ${unit}`,
      c.predicted ? `${fmt.range(c.predicted)} ${unit}` : `not predicted (${c.reason})`,
      err(c), use,
    ];
  });
  // Discord's narrow embed: the row, measured and predicted (expected) with their unit, and the error
  const k = (x: number) => (x >= 1e6 ? `${fmt.num(x / 1e6)}M` : x >= 10_000 ? `${fmt.num(x / 1000)}k` : fmt.num(x));
  const narrow: Table = {
    columns: ['row', 'measured→predicted', 'error'], align: ['left', 'right', 'right'],
    rows: checks.map((c) => {
      const m = c.measurement, unit = SHORT[m.metric];
      return [m.id.replace(/^(cal|val)-/, ''), `${k(m.value)}→${c.predicted ? k(c.predicted.expected) : 'n/a'} ${unit}`, err(c)];
    }),
  };
  return { columns: ['row', 'case', 'measured', 'predicted (range)', 'error', 'use'], rows, align: ['left', 'left', 'right', 'right', 'right', 'left'], narrow };
}

export function summaryLine(v: Validation): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);
  const loo = v.leaveOneOutSummary && v.leaveOneOut
    ? ` Leave-one-out on calibration rows: median error ${pct(v.leaveOneOutSummary.medianAbsError)}, ${pct(v.leaveOneOutSummary.within25)} within ±25% (${v.leaveOneOutSummary.predicted} of ${v.leaveOneOut.length} rows; the others are the only row for one of their constants).`
    : '';
  const sd = v.validationSpecDecode.rows, served = v.validationAsServed.rows;
  const spec = sd
    ? ` Of these, ${sd} were measured with speculative decoding: ${served ? `${served} predicted as served, from their published draft length and acceptance (median error ${pct(v.validationAsServed.medianAbsError)}); ` : ''}${sd - served} ${sd - served === 1 ? 'has' : 'have'} no published acceptance and ${sd - served === 1 ? 'is' : 'are'} set against the baseline model, which does not reproduce ${sd - served === 1 ? 'it' : 'them'}. Without the ${sd}: median ${pct(v.validationBaseline.medianAbsError)}, ${pct(v.validationBaseline.within25)} within ±25%.`
    : '';
  return `Calibration rows (fitted): median error ${pct(v.calibration.medianAbsError)}, ${pct(v.calibration.within25)} within ±25% (${v.calibration.predicted}/${v.calibration.rows} predicted).${loo} ` +
    `Validation rows (never fitted): median error ${pct(v.validation.medianAbsError)}, ${pct(v.validation.within25)} within ±25% (${v.validation.predicted}/${v.validation.rows} predicted).${spec}`;
}

export function validateReply(cat: Catalog, full: boolean): Reply {
  const v = runValidation(cat, { loo: full });
  return answer('How accurate are the estimates?', summaryLine(v), {
    table: validationTable(v, full ? undefined : 'validation'),
    fields: [
      { name: 'How the numbers are made', value: 'A deployment is laid out first (tensor parallel inside the scale-up domain, pipeline stages with micro-batches, replicas, expert parallelism; Groq and Cerebras by their compilers\' rules). A decode step is the sum of kernel rooflines (weight GEMMs, attention over the KV cache, MoE experts with the busiest device setting the pace), collectives with each interconnect\'s latency, and a per-layer fixed time; under continuous batching other users\' prefills stretch each step. Prefill has its own efficiency.', inline: false },
      { name: 'Fitted only to calibration rows', value: `Efficiency constants (bandwidth, compute, MoE and prefill efficiency, per-layer time) are fitted jointly per chip family to ${v.calibration.rows} calibration measurements, two or more per constant where they exist, within physical bounds; the ${v.validation.rows} validation rows are never fitted to. A TTFT measured through a public API also carries a separate API-and-network term, fitted to calibration rows measured that way and off in answers unless asked for (\`via:api\`). Ranges span the constants' spread.`, inline: false },
      { name: 'Inputs', value: 'Chip specs and model architectures are sourced figures, each labelled vendor claim, independent, secondary or derived; `/chip` and `/model` show them.', inline: false },
    ],
    data: { calibration: v.calibration, validation: v.validation, validationBaseline: v.validationBaseline, validationSpecDecode: v.validationSpecDecode, validationAsServed: v.validationAsServed, leaveOneOut: v.leaveOneOut, leaveOneOutSummary: v.leaveOneOutSummary, checks: v.checks.map((c) => ({ id: c.measurement.id, use: c.measurement.use, measured: c.measurement.value, metric: c.measurement.metric, predicted: c.predicted, error: c.error, reason: c.reason, ...(c.asServed ? { asServed: true } : {}) })) },
  });
}
