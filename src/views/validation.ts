// The validation report, a view: runs the core's predictions against every measurement in data/.
import { predict, summarise, type Check, type Summary } from '../core/validate.ts';
import type { Catalog } from '../catalog/load.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Reply, type Table } from '../reply/reply.ts';

export interface Validation { checks: Check[]; calibration: Summary; validation: Summary; calibrationWithin15: boolean }

export function runValidation(cat: Catalog): Validation {
  const checks = cat.measurements.map((m) => {
    const chip = cat.chipById.get(m.chip)!;
    return predict(m, cat.modelById.get(m.model)!, chip, cat.family(chip), cat.efficiency.runtimeReserve.fraction, cat.deployment(chip));
  });
  const cal = checks.filter((c) => c.measurement.use === 'calibration');
  const val = checks.filter((c) => c.measurement.use === 'validation');
  return {
    checks, calibration: summarise(cal), validation: summarise(val),
    calibrationWithin15: cal.every((c) => c.error !== null && Math.abs(c.error) <= 0.15),
  };
}

const METRIC: Record<string, string> = { tokensPerSecondPerUser: 'tok/s/user', tokensPerSecondAggregate: 'tok/s agg', tokensPerSecondTotal: 'tok/s in+out', ttftMs: 'ms TTFT' };

export function validationTable(v: Validation, which?: 'calibration' | 'validation'): Table {
  const rows = v.checks.filter((c) => !which || c.measurement.use === which).map((c) => {
    const m = c.measurement;
    return [
      m.id, `${m.model} on ${m.chips ?? '?'}× ${m.chip}, ${m.weights}`, `${fmt.num(m.value)} ${METRIC[m.metric]}`,
      c.predicted ? fmt.range(c.predicted) : `— (${c.reason})`,
      c.error === null ? '—' : `${c.error >= 0 ? '+' : ''}${Math.round(c.error * 100)}%`,
      m.use === 'calibration' ? 'fitted' : 'check',
    ];
  });
  return { columns: ['row', 'case', 'measured', 'predicted (range)', 'error', 'use'], rows, align: ['left', 'left', 'right', 'right', 'right', 'left'] };
}

export function summaryLine(v: Validation): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);
  return `Calibration rows (fitted): median error ${pct(v.calibration.medianAbsError)}, ${pct(v.calibration.within25)} within ±25% (${v.calibration.predicted}/${v.calibration.rows} predicted). ` +
    `Validation rows (never fitted): median error ${pct(v.validation.medianAbsError)}, ${pct(v.validation.within25)} within ±25% (${v.validation.predicted}/${v.validation.rows} predicted).`;
}

export function validateReply(cat: Catalog, full: boolean): Reply {
  const v = runValidation(cat);
  return answer('How accurate are the estimates?', summaryLine(v), {
    table: validationTable(v, full ? undefined : 'validation'),
    fields: [
      { name: 'How the numbers are made', value: 'A roofline model per decode step: weights and KV bytes over achievable memory bandwidth, FLOPs over achievable compute, link time, and a per-layer latency floor; the largest term is the bottleneck. Prefill is FLOPs over compute.', inline: false },
      { name: 'Fitted only to calibration rows', value: `Efficiency constants (bandwidth and compute efficiency, per-layer floor, hop latency) are fitted per chip family to ${v.calibration.rows} published calibration measurements; the ${v.validation.rows} validation rows are never fitted to. Ranges span the constants' spread.`, inline: false },
      { name: 'Inputs', value: 'Chip specs and model architectures are sourced figures, each labelled vendor claim, independent, secondary or derived; `/chip` and `/model` show them.', inline: false },
    ],
    data: { calibration: v.calibration, validation: v.validation, calibrationWithin15: v.calibrationWithin15, checks: v.checks.map((c) => ({ id: c.measurement.id, use: c.measurement.use, measured: c.measurement.value, metric: c.measurement.metric, predicted: c.predicted, error: c.error, reason: c.reason })) },
  });
}
