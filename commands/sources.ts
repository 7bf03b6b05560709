// /sources — how the numbers are made and how close they come to published measurements.
import { z } from 'zod';
import { runValidation, type Validation } from '../src/catalog/validation.ts';
import * as fmt from '../src/reply/format.ts';
import { answer, type Reply, type Table } from '../src/reply/reply.ts';
import type { Command, Context } from './command.ts';

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

export function validateReply(ctx: Context, full: boolean): Reply {
  const v = runValidation(ctx.catalog);
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

export const sourcesCommand: Command<Record<string, never>> = {
  name: 'sources',
  description: 'How the numbers are made and how accurate they are',
  options: [],
  input: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  run: (_o, ctx) => validateReply(ctx, false),
};
