// Charts for /plan (what each chip's cheapest deployment takes) and /disagg goodput (three deployments side by side).
import type { Range } from '../core/types.ts';

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  config: { font: 'DejaVu Sans', axis: { labelFontSize: 11, titleFontSize: 12 }, title: { fontSize: 14, subtitleFontSize: 11 }, view: { stroke: null } },
};

export interface Bar { label: string; metric: string; value: number; low: number; high: number; text: string }

/** Horizontal bars in facets (one per metric), each with its own log scale, whiskers for the range and a value label. */
function facetBars(title: string, subtitle: string, raw: Bar[], metricOrder: string[]): Record<string, unknown> {
  // log-scale bars need a base above zero: a little below the smallest value of their facet
  const base = new Map<string, number>();
  for (const b of raw) base.set(b.metric, Math.min(base.get(b.metric) ?? Infinity, b.low, b.value));
  const bars = raw.map((b) => ({ ...b, base: base.get(b.metric)! / 3 }));
  return {
    ...BASE,
    title: { text: title, subtitle },
    data: { values: bars },
    facet: { row: { field: 'metric', type: 'nominal', title: null, sort: metricOrder, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontSize: 12, labelFontWeight: 'bold', labelPadding: 6 } } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 380, height: { step: 22 },
      layer: [
        { mark: { type: 'bar', color: '#4c78a8' }, encoding: { y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 300 } }, x: { field: 'value', type: 'quantitative', title: null, scale: { type: 'log' }, axis: { format: ',~r', tickCount: 4, grid: false } }, x2: { field: 'base' } } },
        { mark: { type: 'rule', color: '#222' }, encoding: { y: { field: 'label', type: 'nominal', sort: null }, x: { field: 'low', type: 'quantitative', scale: { type: 'log' } }, x2: { field: 'high' } } },
        { mark: { type: 'text', align: 'left', dx: 4, color: '#222', fontSize: 10 }, encoding: { y: { field: 'label', type: 'nominal', sort: null }, x: { field: 'high', type: 'quantitative', scale: { type: 'log' } }, text: { field: 'text' } } },
      ],
    },
  };
}

const bar = (label: string, metric: string, r: Range, text: string): Bar => ({ label, metric, value: r.expected, low: r.low, high: r.high, text });

export function planChart(title: string, rows: { chip: string; chips: number; kw: number | null; usdPerHour: number | null }[]): { spec: Record<string, unknown>; alt: string } | undefined {
  if (!rows.length) return undefined;
  const all = rows;
  rows = rows.slice(0, 16);
  const bars: Bar[] = [];
  const order = ['Chips', 'kW of chip power', '$ per hour'];
  for (const r of rows) {
    bars.push(bar(r.chip, order[0], { low: r.chips, expected: r.chips, high: r.chips }, r.chips.toLocaleString('en-US')));
    if (r.kw !== null) bars.push(bar(r.chip, order[1], { low: r.kw, expected: r.kw, high: r.kw }, r.kw.toLocaleString('en-US', { maximumSignificantDigits: 3 })));
    if (r.usdPerHour !== null) bars.push(bar(r.chip, order[2], { low: r.usdPerHour, expected: r.usdPerHour, high: r.usdPerHour }, `$${r.usdPerHour.toLocaleString('en-US', { maximumSignificantDigits: 3 })}`));
  }
  const spec = facetBars(title, `the cheapest deployment per chip that meets the targets${all.length > 16 ? ' (the 16 with fewest chips)' : ''}; log scales, shorter is better; no bar = unknown`, bars, order);
  return { spec, alt: rows.map((r) => `${r.chip}: ${r.chips} chips${r.kw !== null ? `, ${Math.round(r.kw)} kW` : ''}`).join('; ') };
}

export function goodputChart(title: string, rows: { label: string; perChip: Range | null; perMw: Range | null; perUsd: Range | null }[]): { spec: Record<string, unknown>; alt: string } | undefined {
  const order = ['Requests/s per chip', 'Requests/s per MW', 'Requests per $'];
  const bars: Bar[] = [];
  const fmt = (x: number) => x.toLocaleString('en-US', { maximumSignificantDigits: 3 });
  for (const r of rows) {
    if (r.perChip) bars.push(bar(r.label, order[0], r.perChip, fmt(r.perChip.expected)));
    if (r.perMw) bars.push(bar(r.label, order[1], r.perMw, fmt(r.perMw.expected)));
    if (r.perUsd) bars.push(bar(r.label, order[2], r.perUsd, fmt(r.perUsd.expected)));
  }
  if (!bars.length) return undefined;
  const spec = facetBars(title, 'goodput: requests served within both targets; whisker = range; longer is better; log scales; no bar = unknown (power or price unpublished)', bars, order);
  return { spec, alt: bars.map((b) => `${b.label} ${b.metric}: ${b.text}`).join('; ') };
}
