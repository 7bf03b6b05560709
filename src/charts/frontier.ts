// The frontier chart: log-log, one line per chip, a band for the range, the legend outside the plot.
import type { ChipFrontier, FrontierPoint } from '../core/frontier.ts';
import type { Range } from '../core/types.ts';

export type FrontierMetric = 'chip' | 'kw' | 'usd';

export const METRIC_LABEL: Record<FrontierMetric, string> = {
  chip: 'output tokens/s per chip',
  kw: 'output tokens/s per kW',
  usd: 'output tokens/s per $/hour',
};

export function metricOf(p: FrontierPoint, m: FrontierMetric): Range | null {
  return m === 'chip' ? p.perChip : m === 'kw' ? p.perKw : p.perUsdHour;
}

/** 1-2-5 ticks spanning a log domain, so a log axis reads in plain numbers without a gridline per minor step. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) { const v = m * 10 ** e; if (v >= lo && v <= hi) out.push(Number(v.toPrecision(3))); }
  }
  return out;
}

export function frontierChart(model: string, lengths: string, frontiers: ChipFrontier[], metric: FrontierMetric): { spec: Record<string, unknown>; alt: string } | undefined {
  const rows: Record<string, unknown>[] = [];
  const order: string[] = [];
  for (const f of frontiers) {
    const pts = f.points.map((p) => ({ p, y: metricOf(p, metric) })).filter((x) => x.y && x.y.expected > 0);
    if (!pts.length) continue;
    order.push(f.chip.name);
    for (const { p, y } of pts) {
      rows.push({ chip: f.chip.name, x: p.perUser.expected, y: y!.expected, lo: y!.low, hi: y!.high,
        what: `${p.chips}× ${p.weights.toUpperCase()}, batch ${p.batch}` });
    }
  }
  if (!rows.length) return undefined;
  const xs = rows.map((r) => r.x as number), ys = rows.flatMap((r) => [r.lo as number, r.hi as number]);
  const xDomain = [Math.min(...xs) / 1.3, Math.max(...xs) * 1.3];
  const yDomain = [Math.min(...ys) / 1.5, Math.max(...ys) * 1.5];
  const x = { field: 'x', type: 'quantitative', title: 'tokens/s per user (log scale)', scale: { type: 'log', domain: xDomain, nice: false },
    axis: { values: logTicks(xDomain[0], xDomain[1]), format: ',~r', grid: true } };
  const color = { field: 'chip', type: 'nominal', title: null, sort: order, scale: { scheme: 'tableau10' },
    legend: { orient: 'right', labelLimit: 260, labelFontSize: 11, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    config: { font: 'DejaVu Sans', axis: { labelFontSize: 11, titleFontSize: 12 }, title: { fontSize: 14, subtitleFontSize: 11 }, view: { stroke: '#ccc' } },
    title: { text: `${model}: throughput against interactivity`, subtitle: `Pareto frontier, ${lengths}; band = range of the efficiency constants; up and right is better` },
    width: 560, height: 360,
    data: { values: rows },
    encoding: { x },
    layer: [
      { mark: { type: 'area', opacity: 0.18, interpolate: 'monotone' }, encoding: { color, y: { field: 'lo', type: 'quantitative', scale: { type: 'log', domain: yDomain, nice: false } }, y2: { field: 'hi' } } },
      { mark: { type: 'line', strokeWidth: 2, interpolate: 'monotone', point: { filled: true, size: 28 } },
        encoding: { color, y: { field: 'y', type: 'quantitative', title: `${METRIC_LABEL[metric]} (log scale)`, scale: { type: 'log', domain: yDomain, nice: false }, axis: { values: logTicks(yDomain[0], yDomain[1]), format: ',~r', grid: true } } } },
    ],
  };
  const alt = frontiers.map((f) => {
    const pts = f.points;
    if (!pts.length) return `${f.chip.name}: no frontier`;
    const a = pts[0], b = pts[pts.length - 1];
    return `${f.chip.name}: ${Math.round(metricOf(a, metric)?.expected ?? 0)} at ${Math.round(a.perUser.expected)} tok/s/user to ${Math.round(metricOf(b, metric)?.expected ?? 0)} at ${Math.round(b.perUser.expected)}`;
  }).join('; ');
  return { spec, alt };
}
