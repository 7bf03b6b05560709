// Fits the efficiency constants of each chip family to the calibration rows named in data/fit-plan.json.
import type { Chip, Constant, ConstantName, Efficiency, Family, FitPlan, Measurement, Model } from '../catalog/schema.ts';
import { predict } from './validate.ts';

export interface FitLog { family: string; constant: ConstantName; row: string; value: number; ok: boolean }

interface Inputs { plan: FitPlan; measurements: Measurement[]; chips: Map<string, Chip>; models: Map<string, Model> }

const START: Record<string, number> = { bandwidthEfficiency: 0.7, computeEfficiency: 0.5, layerFloorUs: 0, hopLatencyUs: 0 };
const BOUNDS: Record<string, [number, number]> = {
  bandwidthEfficiency: [0.01, 1], computeEfficiency: [0.01, 1], layerFloorUs: [1e-4, 10_000], hopLatencyUs: [1e-4, 10_000],
  impliedTflops: [1, 1e7], 'dequant.int8': [0.01, 1], 'dequant.int4': [0.01, 1], 'dequant.fp4': [0.01, 1], 'dequant.fp6': [0.01, 1],
};
const EFFICIENCY = (c: ConstantName) => c !== 'layerFloorUs' && c !== 'hopLatencyUs' && c !== 'impliedTflops';

function point(v: number, note = ''): Constant {
  return { low: v, expected: v, high: v, fittedTo: [], note, assumption: 'fitting' };
}

function familyFrom(values: Map<ConstantName, number>): Family {
  const dequant: Record<string, Constant> = {};
  for (const [k, v] of values) if (k.startsWith('dequant.')) dequant[k.slice(8)] = point(v);
  return {
    name: '',
    bandwidthEfficiency: point(values.get('bandwidthEfficiency') ?? START.bandwidthEfficiency),
    computeEfficiency: point(values.get('computeEfficiency') ?? START.computeEfficiency),
    layerFloorUs: point(values.get('layerFloorUs') ?? 0),
    hopLatencyUs: point(values.get('hopLatencyUs') ?? 0),
    impliedTflops: values.has('impliedTflops') ? point(values.get('impliedTflops')!) : undefined,
    dequantBandwidthEfficiency: dequant,
  };
}

/** Bisection for the constant value at which the expected prediction equals the measured value. */
function solve(inputs: Inputs, row: Measurement, values: Map<ConstantName, number>, name: ConstantName, reserve: number): { value: number; ok: boolean } {
  const chip = inputs.chips.get(row.chip)!, model = inputs.models.get(row.model)!;
  const err = (x: number) => {
    const trial = new Map(values); trial.set(name, x);
    const c = predict(row, model, chip, familyFrom(trial), reserve);
    return c.predicted ? Math.log(c.predicted.expected / row.value) : NaN;
  };
  let [lo, hi] = BOUNDS[name];
  let elo = err(lo), ehi = err(hi);
  if (!Number.isFinite(elo) || !Number.isFinite(ehi) || Math.sign(elo) === Math.sign(ehi)) {
    return { value: Math.abs(elo) < Math.abs(ehi) ? lo : hi, ok: false };
  }
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2, e = err(mid);
    if (Math.sign(e) === Math.sign(elo)) { lo = mid; elo = e; } else { hi = mid; ehi = e; }
  }
  return { value: (lo + hi) / 2, ok: true };
}

export function calibrate(inputs: Inputs): { efficiency: Efficiency; log: FitLog[] } {
  const { plan } = inputs;
  const reserve = plan.runtimeReserve.fraction;
  const values = new Map<string, Map<ConstantName, number>>();
  for (const name of Object.keys(plan.families)) values.set(name, new Map());
  const perRow = new Map<string, number[]>();
  let log: FitLog[] = [];

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
  // Constants interact (a family's bandwidth and compute efficiency both move each row), so sweep until stable.
  for (let pass = 0; pass < 6; pass++) {
    settle();
    log = [];
    for (const [name, fp] of Object.entries(plan.families)) {
      const v = values.get(name)!;
      for (const f of fp.fit) {
        const fits = f.rows.map((id) => {
          const row = inputs.measurements.find((m) => m.id === id);
          if (!row) throw new Error(`fit-plan: family ${name} names unknown row ${id}`);
          const r = solve(inputs, row, v, f.constant, reserve);
          log.push({ family: name, constant: f.constant, row: id, value: r.value, ok: r.ok });
          return r.value;
        });
        // several rows for one constant: geometric mean, the spread kept for the range
        v.set(f.constant, Math.exp(fits.reduce((a, x) => a + Math.log(Math.max(x, 1e-9)), 0) / fits.length));
        perRow.set(`${name}/${f.constant}`, fits);
      }
    }
  }
  settle();

  const families: Record<string, Family> = {};
  for (const [name, fp] of Object.entries(plan.families)) {
    const v = values.get(name)!;
    const make = (c: ConstantName): Constant | undefined => {
      const x = v.get(c);
      if (x === undefined) return undefined;
      const cap = (y: number) => (EFFICIENCY(c) ? Math.min(1, y) : y);
      const fitted = fp.fit.find((f) => f.constant === c);
      if (fitted) {
        const rows = perRow.get(`${name}/${c}`) ?? [x];
        const s = plan.spread.fitted;
        return { low: Math.min(x * (1 - s), ...rows), expected: x, high: cap(Math.max(x * (1 + s), ...rows)), fittedTo: fitted.rows,
          note: `fitted to ${fitted.rows.join(', ')}${rows.length > 1 ? ` (per row: ${rows.map((r) => r.toPrecision(3)).join(', ')})` : ''}; range ±${s * 100}%` };
      }
      const from = fp.borrow[c];
      if (from) {
        const s = plan.spread.borrowed;
        return { low: x * (1 - s), expected: x, high: cap(x * (1 + s)), fittedTo: [], borrowedFrom: from,
          note: `borrowed from ${from}: no calibration row for this family constrains it; range widened to ±${s * 100}%` };
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
    const dequant: Record<string, Constant> = {};
    for (const f of ['int8', 'int4', 'fp4', 'fp6'] as const) {
      const k = make(`dequant.${f}`);
      if (k) dequant[f] = k;
    }
    families[name] = {
      name: fp.name,
      bandwidthEfficiency: need('bandwidthEfficiency'), computeEfficiency: need('computeEfficiency'),
      layerFloorUs: need('layerFloorUs'), hopLatencyUs: need('hopLatencyUs'),
      impliedTflops: make('impliedTflops'), dequantBandwidthEfficiency: dequant,
    };
  }
  return { efficiency: { runtimeReserve: plan.runtimeReserve, families }, log };
}
