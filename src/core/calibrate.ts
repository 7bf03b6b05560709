// Fits the efficiency constants of each chip family to the calibration rows named in data/fit-plan.json: a joint
// least-squares fit in log error over all of a family's rows, each constant kept within physical bounds.
import type { Chip, Constant, ConstantName, Efficiency, Family, FitPlan, Measurement, Model } from '../catalog/schema.ts';
import { predict } from './validate.ts';

export interface FitLog { family: string; constant: ConstantName; rows: string[]; value: number; perRow: number[] }

export interface Inputs {
  plan: FitPlan; measurements: Measurement[]; chips: Map<string, Chip>; models: Map<string, Model>;
}

const START: Partial<Record<ConstantName, number>> = { bandwidthEfficiency: 0.7, computeEfficiency: 0.5, layerFloorUs: 1, hopLatencyUs: 0, collectiveLatencyUs: 0 };
/** physical bounds: an efficiency is at most 1 (achieved ≤ published peak); latencies are positive */
const BOUNDS: Record<ConstantName, [number, number]> = {
  bandwidthEfficiency: [0.002, 1], computeEfficiency: [0.01, 1], moeEfficiency: [0.01, 1], prefillEfficiency: [0.01, 1], overlap: [0.001, 1],
  layerFloorUs: [0.01, 2_000], hopLatencyUs: [0.01, 2_000], collectiveLatencyUs: [0.01, 500], impliedTflops: [1, 1e6],
  'dequant.int8': [0.01, 1], 'dequant.int4': [0.01, 1], 'dequant.fp4': [0.01, 1], 'dequant.fp6': [0.01, 1],
  blockScaleEfficiency: [0.01, 1],
  'dequantMath.int8': [0.01, 1], 'dequantMath.int4': [0.01, 1], 'dequantMath.fp4': [0.01, 1], 'dequantMath.fp6': [0.01, 1],
};
const IS_EFFICIENCY = (c: ConstantName) => BOUNDS[c][1] === 1;
const OPTIONAL: ConstantName[] = ['moeEfficiency', 'prefillEfficiency', 'overlap', 'collectiveLatencyUs', 'impliedTflops', 'blockScaleEfficiency'];

function point(v: number): Constant {
  return { low: v, expected: v, high: v, fittedTo: [], note: '', assumption: 'fitting' };
}

function familyFrom(values: Map<ConstantName, number>): Family {
  const dequant: Record<string, Constant> = {}, dequantMath: Record<string, Constant> = {};
  for (const [k, v] of values) {
    if (k.startsWith('dequant.')) dequant[k.slice(8)] = point(v);
    if (k.startsWith('dequantMath.')) dequantMath[k.slice(12)] = point(v);
  }
  const opt = (c: ConstantName) => (values.has(c) ? point(values.get(c)!) : undefined);
  return {
    name: '',
    bandwidthEfficiency: point(values.get('bandwidthEfficiency') ?? START.bandwidthEfficiency!),
    computeEfficiency: point(values.get('computeEfficiency') ?? START.computeEfficiency!),
    layerFloorUs: point(values.get('layerFloorUs') ?? START.layerFloorUs!),
    hopLatencyUs: point(values.get('hopLatencyUs') ?? 0),
    collectiveLatencyUs: opt('collectiveLatencyUs'), moeEfficiency: opt('moeEfficiency'), prefillEfficiency: opt('prefillEfficiency'), overlap: opt('overlap'),
    impliedTflops: opt('impliedTflops'), blockScaleEfficiency: opt('blockScaleEfficiency'),
    dequantBandwidthEfficiency: dequant,
    dequantComputeEfficiency: dequantMath,
  };
}

function logError(inputs: Inputs, row: Measurement, values: Map<ConstantName, number>): number {
  const chip = inputs.chips.get(row.chip)!, model = inputs.models.get(row.model)!;
  const c = predict(row, model, chip, familyFrom(values), inputs.plan.runtimeReserve.fraction);
  return c.predicted ? Math.log(c.predicted.expected / row.value) : NaN;
}

/** A weight read that converts on the fly is no faster than a plain one: a dequantising bandwidth stays at or below the
 *  family's plain bandwidth efficiency. Every other constant has its fixed physical bound. */
function upperBound(name: ConstantName, values: Map<ConstantName, number>): number {
  const plain = values.get('bandwidthEfficiency');
  return name.startsWith('dequant.') && plain !== undefined ? Math.min(BOUNDS[name][1], plain) : BOUNDS[name][1];
}

/** Golden-section search in log space for the value of `name` that minimises the summed squared log error. */
function minimise(inputs: Inputs, rows: Measurement[], values: Map<ConstantName, number>, name: ConstantName): number {
  const cost = (logX: number) => {
    const trial = new Map(values); trial.set(name, Math.exp(logX));
    let s = 0;
    for (const r of rows) { const e = logError(inputs, r, trial); s += Number.isFinite(e) ? e * e : 1e6; }
    return s;
  };
  return goldenSection(cost, BOUNDS[name][0], upperBound(name, values), 48);
}

/** The x in [lo, hi] minimising cost(log x), by golden-section search in log space. */
function goldenSection(cost: (logX: number) => number, lo: number, hi: number, iterations: number): number {
  let a = Math.log(lo), b = Math.log(hi);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = b - g * (b - a), x2 = a + g * (b - a), f1 = cost(x1), f2 = cost(x2);
  for (let i = 0; i < iterations; i++) {
    if (f1 <= f2) { b = x2; x2 = x1; f2 = f1; x1 = b - g * (b - a); f1 = cost(x1); }
    else { a = x1; x1 = x2; f1 = f2; x2 = a + g * (b - a); f2 = cost(x2); }
  }
  return Math.exp((a + b) / 2);
}

function rowsOf(inputs: Inputs, ids: string[], family: string, exclude: Set<string>): Measurement[] {
  return ids.filter((id) => !exclude.has(id)).map((id) => {
    const row = inputs.measurements.find((m) => m.id === id);
    if (!row) throw new Error(`fit-plan: family ${family} names unknown row ${id}`);
    if (row.use !== 'calibration') throw new Error(`fit-plan: family ${family} names ${id}, a validation row; constants are fitted to calibration rows only`);
    if (row.specDecode) throw new Error(`fit-plan: family ${family} names ${id}, measured with speculative decoding; baseline constants are never fitted to it`);
    return row;
  });
}

/** constants of one weight format (dequantising, block scales): fitted to their own rows with the family's base constants held */
const isFormatConstant = (c: ConstantName): boolean => c.startsWith('dequant.') || c.startsWith('dequantMath.') || c === 'blockScaleEfficiency';

/** Fit every family in plan order, several passes so borrowed values settle. `exclude` leaves rows out (leave-one-out). */
export function fitValues(inputs: Inputs, exclude = new Set<string>(), only?: string, start?: Map<string, Map<ConstantName, number>>): Map<string, Map<ConstantName, number>> {
  const { plan } = inputs;
  const values = new Map<string, Map<ConstantName, number>>();
  for (const name of Object.keys(plan.families)) values.set(name, new Map(start?.get(name) ?? []));
  const settle = () => {
    for (const [name, fp] of Object.entries(plan.families)) {
      const v = values.get(name)!;
      for (const [c, a] of Object.entries(fp.assume)) v.set(c as ConstantName, a!.expected);
      for (const [c, from] of Object.entries(fp.borrow)) {
        const src = values.get(from!)?.get(c as ConstantName);
        if (src !== undefined) v.set(c as ConstantName, src);
      }
    }
  };
  for (let pass = 0; pass < (only ? 3 : 4); pass++) {
    settle();
    for (const [name, fp] of Object.entries(plan.families)) {
      if (only && name !== only) continue;
      const v = values.get(name)!;
      // the family's constants are fitted jointly to its rows in the format it computes natively; a weight-only format's
      // dequantising bandwidth is fitted to its own rows with those held, so rows of one format do not move the rest
      const base = [...new Set(fp.fit.filter((f) => !isFormatConstant(f.constant)).flatMap((f) => f.rows))];
      const rows = rowsOf(inputs, base, name, exclude);
      for (const f of fp.fit) {
        if (!v.has(f.constant)) v.set(f.constant, START[f.constant] ?? Math.sqrt(BOUNDS[f.constant][0] * BOUNDS[f.constant][1]));
        const own = rowsOf(inputs, f.rows, name, exclude);
        if (own.length === 0) { v.delete(f.constant); continue; }
        v.set(f.constant, minimise(inputs, isFormatConstant(f.constant) ? own : rows, v, f.constant));
      }
    }
  }
  settle();
  return values;
}

export function calibrate(inputs: Inputs): { efficiency: Efficiency; log: FitLog[] } {
  const { plan } = inputs;
  const values = fitValues(inputs);
  const log: FitLog[] = [];
  const families: Record<string, Family> = {};
  for (const [name, fp] of Object.entries(plan.families)) {
    const v = values.get(name)!;
    const make = (c: ConstantName): Constant | undefined => {
      const x = v.get(c);
      if (x === undefined) return undefined;
      const cap = (y: number) => (IS_EFFICIENCY(c) ? Math.min(1, y) : y);
      const fitted = fp.fit.find((f) => f.constant === c);
      if (fitted) {
        // each row alone (the other constants held): the spread of what the rows ask for widens the range
        const perRow = rowsOf(inputs, fitted.rows, name, new Set()).map((r) => minimise(inputs, [r], v, c));
        log.push({ family: name, constant: c, rows: fitted.rows, value: x, perRow });
        const s = plan.spread.fitted;
        // a row whose fit alone runs into a physical bound does not set the constant: it widens no range
        const lo = BOUNDS[c][0], hi = upperBound(c, v);
        const informative = perRow.filter((y) => y > lo * 1.01 && y < hi / 1.01);
        return { low: Math.min(x * (1 - s), ...informative), expected: x, high: Math.min(cap(Math.max(x * (1 + s), ...informative)), hi), fittedTo: fitted.rows,
          note: `fitted ${isFormatConstant(c) ? '' : 'jointly '}to ${fitted.rows.join(', ')}${isFormatConstant(c) ? ', the family\'s base constants held' : ''}${perRow.length > 1 ? ` (each row alone: ${perRow.map((r) => r.toPrecision(3)).join(', ')})` : ''}; range ±${s * 100}% or the spread of the rows that set it alone${informative.length < perRow.length ? ' (a row alone at a bound does not)' : ''}` };
      }
      const from = fp.borrow[c];
      if (from) {
        const s = plan.spread.borrowed;
        return { low: x * (1 - s), expected: x, high: cap(x * (1 + s)), fittedTo: [], borrowedFrom: from,
          note: `borrowed from ${from}: ${fp.borrowWhy[c] ?? 'no calibration row for this family constrains it'}; range widened to ±${s * 100}%` };
      }
      const a = fp.assume[c];
      if (a) return { low: Math.max(0, x * (1 - plan.spread.fitted)), expected: x, high: Math.max(x, a.high), fittedTo: [], assumption: a.why, note: `assumed: ${a.why}` };
      return undefined;
    };
    const need = (c: ConstantName) => {
      const k = make(c);
      if (!k) throw new Error(`fit-plan: family ${name} has no value for ${c} (fit it, borrow it or state an assumption)`);
      return k;
    };
    const dequant: Record<string, Constant> = {}, dequantMath: Record<string, Constant> = {};
    for (const f of ['int8', 'int4', 'fp4', 'fp6'] as const) {
      const k = make(`dequant.${f}`);
      if (k) dequant[f] = k;
      const m = make(`dequantMath.${f}`);
      if (m) dequantMath[f] = m;
    }
    const fittedRows = fp.fit.flatMap((f) => f.rows).map((id) => inputs.measurements.find((m) => m.id === id)!);
    const evidence = fittedRows.some((r) => r.kind === 'independent' || r.kind === 'mlperf') ? 'measured' as const
      : fittedRows.length ? 'vendor claim' as const : 'borrowed' as const;
    const batches = [...new Set(fittedRows.map((r) => r.batch).filter((b): b is number => typeof b === 'number'))].sort((a, b) => a - b);
    const fam: Family = {
      name: fp.name, evidence, ...(evidence === 'vendor claim' ? { evidenceBatches: batches } : {}),
      bandwidthEfficiency: need('bandwidthEfficiency'), computeEfficiency: need('computeEfficiency'),
      layerFloorUs: need('layerFloorUs'), hopLatencyUs: need('hopLatencyUs'),
      dequantBandwidthEfficiency: dequant, dequantComputeEfficiency: dequantMath,
    };
    for (const c of OPTIONAL) {
      const k = make(c);
      if (k) (fam as Record<string, unknown>)[c] = k;
    }
    families[name] = fam;
  }
  const api = plan.apiOverheadMs;
  let apiOverheadMs: Constant | undefined;
  if (api) {
    const rows = apiRows(inputs, api.rows, new Set());
    const chipSide = rows.map((r) => chipSideTtft(inputs, r, families));
    const x = fitOverhead(rows, chipSide);
    const perRow = rows.map((r, i) => fitOverhead([r], [chipSide[i]]));
    const s = plan.spread.fitted;
    log.push({ family: '(API)', constant: 'apiOverheadMs' as ConstantName, rows: api.rows, value: x, perRow });
    apiOverheadMs = {
      low: Math.min(x * (1 - s), ...perRow), expected: x, high: Math.max(x * (1 + s), ...perRow), fittedTo: api.rows,
      note: `${api.note} Fitted to ${api.rows.join(', ')}${perRow.length > 1 ? ` (each row alone: ${perRow.map((r) => r.toPrecision(3)).join(', ')})` : ''}, on top of each row's predicted time on the chips; range ±${s * 100}% or the rows' spread.`,
    };
  }
  return { efficiency: { runtimeReserve: plan.runtimeReserve, families, ...(apiOverheadMs ? { apiOverheadMs } : {}) }, log };
}

function apiRows(inputs: Inputs, ids: string[], exclude: Set<string>): Measurement[] {
  return rowsOf(inputs, ids, '(API overhead)', exclude).map((r) => {
    if (r.metric !== 'ttftMs' || r.measuredVia !== 'api') throw new Error(`fit-plan: apiOverheadMs names ${r.id}, which is not a TTFT measured through a public API`);
    return r;
  });
}

/** The row's time to first token on the chips alone, ms, under the fitted family constants. */
function chipSideTtft(inputs: Inputs, row: Measurement, families: Record<string, Family>): number {
  const chip = inputs.chips.get(row.chip)!, model = inputs.models.get(row.model)!;
  const c = predict(row, model, chip, families[chip.family], inputs.plan.runtimeReserve.fraction);
  return c.predicted ? c.predicted.expected : NaN;
}

/** The overhead (ms) that minimises the summed squared log error of chip-side TTFT + overhead against the rows. */
function fitOverhead(rows: Measurement[], chipSide: number[]): number {
  const cost = (logX: number) => rows.reduce((s, r, i) => {
    const e = Math.log((chipSide[i] + Math.exp(logX)) / r.value);
    return s + (Number.isFinite(e) ? e * e : 1e6);
  }, 0);
  return goldenSection(cost, 0.01, 10_000, 60);
}

export interface LeaveOneOut { row: string; family: string; predicted: number | null; error: number | null; reason?: string }

/**
 * Leave-one-out: for each calibration row a family is fitted to, refit that family without it and predict it.
 * A row that is the only one constraining one of its constants cannot be left out; that is reported, not hidden.
 */
export function leaveOneOut(inputs: Inputs): LeaveOneOut[] {
  const full = fitValues(inputs);
  const out: LeaveOneOut[] = [];
  for (const [name, fp] of Object.entries(inputs.plan.families)) {
    const ids = [...new Set(fp.fit.flatMap((f) => f.rows))];
    for (const id of ids) {
      const sole = fp.fit.find((f) => f.rows.length === 1 && f.rows[0] === id);
      if (sole) { out.push({ row: id, family: name, predicted: null, error: null, reason: `the only row for ${name}.${sole.constant}` }); continue; }
      const values = fitValues(inputs, new Set([id]), name, full);
      const row = inputs.measurements.find((m) => m.id === id)!;
      const e = logError(inputs, row, values.get(name)!);
      out.push({ row: id, family: name, predicted: Number.isFinite(e) ? row.value * Math.exp(e) : null, error: Number.isFinite(e) ? Math.exp(e) - 1 : null });
    }
  }
  const api = inputs.plan.apiOverheadMs;
  if (api) {
    // the chips' side comes from the full fit already made (no family constant is fitted to these rows)
    const families = Object.fromEntries([...full].map(([name, v]) => [name, familyFrom(v)]));
    for (const id of api.rows) {
      const others = apiRows(inputs, api.rows, new Set([id]));
      if (others.length === 0) { out.push({ row: id, family: '(API)', predicted: null, error: null, reason: 'the only row for the API overhead' }); continue; }
      const row = apiRows(inputs, [id], new Set())[0];
      const x = fitOverhead(others, others.map((r) => chipSideTtft(inputs, r, families)));
      const predicted = chipSideTtft(inputs, row, families) + x;
      out.push({ row: id, family: '(API)', predicted, error: predicted / row.value - 1 });
    }
  }
  return out;
}
