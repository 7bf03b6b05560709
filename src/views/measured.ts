// What was actually measured for this model on this chip, beside the estimate: the published runs in data/ nearest the
// question, each with the model's own figure for that run, so a reader sees the track record where it matters.
import type { Catalog } from '../catalog/load.ts';
import type { Measurement } from '../catalog/schema.ts';
import * as fmt from '../reply/format.ts';
import type { Field } from '../reply/reply.ts';
import { checkRow } from './validation.ts';

export interface MeasuredPoint {
  id: string;
  conditions: string;
  metric: Measurement['metric'];
  value: number;
  chips: number | null;
  date: string;
  url: string;
  /** the row is one the constants were fitted to */
  fitted: boolean;
  /** the model's expected figure for that run, on its published deployment; null when it cannot predict it */
  predicted: number | null;
  /** (predicted − measured) / measured */
  error: number | null;
  /** measured with speculative decoding whose acceptance is unpublished: the model's figure is without it */
  baselineOnly: boolean;
}

const UNIT: Record<Measurement['metric'], string> = {
  tokensPerSecondPerUser: 'tok/s per user', tokensPerSecondAggregate: 'tok/s aggregate',
  tokensPerSecondTotal: 'tok/s in+out', ttftMs: 'ms to first token',
};

/** An ISO date at the start of the source's date, else '' (undated rows sort last). */
function isoDate(m: Measurement): string {
  const d = /^\d{4}(-\d{2}(-\d{2})?)?/.exec(m.source.date);
  return d ? d[0] : '';
}

/** How far a run's concurrency is from the asked one, in factors of four (a "max" run counts as 4,096 sequences). */
function batchDistance(m: Measurement, batch: number): number {
  const b = typeof m.batch === 'number' ? m.batch : 4096;
  return Math.round(Math.abs(Math.log2(Math.max(1, b) / Math.max(1, batch))) / 2);
}

/**
 * Up to `limit` published measurements of `modelId` on `chipId`, nearest the question first: on `chips` chips, then
 * at a concurrency near `batch`, then the newest. Each is predicted the way `npm run validate` predicts it.
 */
export function measuredPoints(cat: Catalog, modelId: string, chipId: string, chips: number, batch: number, limit = 2): MeasuredPoint[] {
  const rows = cat.measurements.filter((m) => m.model === modelId && m.chip === chipId);
  if (!rows.length) return [];
  const picked = rows
    .map((m, i) => ({ m, i, same: m.chips === chips ? 0 : 1, far: batchDistance(m, batch), date: isoDate(m) }))
    .sort((a, b) => a.same - b.same || a.far - b.far || (a.date < b.date ? 1 : a.date > b.date ? -1 : a.i - b.i))
    .slice(0, limit);
  return picked.map(({ m, date }) => {
    const c = checkRow(cat, m);
    return {
      id: m.id, conditions: m.conditions, metric: m.metric, value: m.value, chips: m.chips ?? null, date: date || 'undated',
      url: m.source.url, fitted: m.use === 'calibration', predicted: c.predicted?.expected ?? null, error: c.error,
      baselineOnly: !!m.specDecode && !c.asServed,
    };
  });
}

/** Conditions cut at a word boundary so a line stays readable in an embed field. */
function shortConditions(s: string, max = 110): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2)).replace(/[,;(\s]+$/, '')}…`;
}

/** One line per run: "[57,117 tok/s aggregate](url): MLPerf … (2026-04-01). This model, for that run: 31,050 (−46%)." */
export function measuredField(chipName: string, points: MeasuredPoint[]): Field | null {
  if (!points.length) return null;
  const one = (p: MeasuredPoint) => {
    const theirs = `[${fmt.num(p.value)} ${UNIT[p.metric]}](${p.url}): ${shortConditions(p.conditions).replace(/[[\]]/g, '')} (${p.date}).`;
    if (p.predicted === null || p.error === null) return `${theirs} The model does not predict that run.`;
    const err = `${p.error >= 0 ? '+' : '−'}${Math.round(Math.abs(p.error) * 100)}%`;
    const why = p.fitted ? ', fitted to it' : p.baselineOnly ? '; that run drafted with speculative decoding, whose acceptance is unpublished, and this figure is without it' : '';
    return `${theirs} This model, for that run: ${fmt.num(p.predicted)} (${err}${why}).`;
  };
  return { name: `Published for this model on ${chipName}`, value: points.map(one).join('\n'), inline: false };
}
