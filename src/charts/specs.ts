// vega-lite specs built from core results. Pure data: rendering to SVG/PNG happens in render.ts.
import type { Estimate } from '../core/estimate.ts';

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  config: { font: 'DejaVu Sans', axis: { labelFontSize: 11, titleFontSize: 12 }, title: { fontSize: 14 } },
};

export function compareChart(entries: { chip: string; e: Estimate }[], phase: 'prefill' | 'decode' | 'both'): { spec: Record<string, unknown>; alt: string } {
  const rows: Record<string, unknown>[] = [];
  for (const { chip, e } of entries) {
    if (phase !== 'prefill' && e.decode) {
      const r = e.decode.tokensPerSecondPerUser;
      rows.push({ chip, metric: 'Decode, tok/s per user (higher is better)', value: r.expected, low: r.low, high: r.high });
    }
    if (phase !== 'decode' && e.prefill?.ttftMs) {
      const r = e.prefill.ttftMs;
      rows.push({ chip, metric: 'Time to first token, ms (lower is better)', value: r.expected, low: r.low, high: r.high });
    }
  }
  const spec = {
    ...BASE,
    title: `${entries.map((x) => x.chip).join(' vs ')} — ${entries[0]?.e.model.name ?? ''}`,
    data: { values: rows },
    facet: { row: { field: 'metric', type: 'nominal', title: null, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontSize: 12, labelFontWeight: 'bold', labelPadding: 6 } } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 420, height: { step: 28 },
      layer: [
        { mark: { type: 'bar', color: '#4c78a8' }, encoding: { y: { field: 'chip', type: 'nominal', title: null, sort: null, axis: { labelLimit: 320 } }, x: { field: 'value', type: 'quantitative', title: null } } },
        { mark: { type: 'rule', color: '#222' }, encoding: { y: { field: 'chip', type: 'nominal', sort: null }, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
        { mark: { type: 'text', align: 'left', dx: 4, color: '#222' }, encoding: { y: { field: 'chip', type: 'nominal', sort: null }, x: { field: 'high', type: 'quantitative' }, text: { field: 'value', type: 'quantitative', format: ',.3~s' } } },
      ],
    },
  };
  const alt = rows.map((r) => `${r.chip}: ${r.metric} ${Math.round(r.value as number)}`).join('; ');
  return { spec, alt };
}

export interface LandscapePoint { chip: string; spectrum: number; perUser: number; low: number; high: number; chips: number; unit: string }

/** Chips that land on the same spot (same spectrum position and about the same speed) share one point and label. */
export function mergeCoincident(points: LandscapePoint[]): LandscapePoint[] {
  const sorted = [...points].sort((a, b) => a.spectrum - b.spectrum || b.perUser - a.perUser);
  const groups: LandscapePoint[][] = [];
  for (const p of sorted) {
    const g = groups[groups.length - 1];
    // same spot on the spectrum and within 30% of the group's fastest: one label
    if (g && Math.abs(g[0].spectrum - p.spectrum) < 0.02 && g[0].perUser / p.perUser < 1.3) g.push(p);
    else groups.push([p]);
  }
  return groups.map((g) => ({ ...g[0], chip: g.map((p) => p.chip).join(' / '), low: Math.min(...g.map((p) => p.low)), high: Math.max(...g.map((p) => p.high)) }));
}

export function landscapeChart(model: string, all: LandscapePoint[]): { spec: Record<string, unknown>; alt: string } {
  const points = mergeCoincident(all);
  const spec = {
    ...BASE,
    title: { text: `${model}: decode speed per user along the flexibility-for-speed spectrum`, subtitle: 'dot = expected, whisker = range; log scale' },
    width: 560, height: 300,
    data: { values: points },
    layer: [
      { mark: { type: 'rule', color: '#888' }, encoding: { x: { field: 'spectrum', type: 'quantitative', title: '← runs anything · · · runs one model →', scale: { domain: [0, 1] } }, y: { field: 'low', type: 'quantitative', scale: { type: 'log', nice: false, padding: 12 }, title: 'tok/s per user (batch 1)' }, y2: { field: 'high' } } },
      { mark: { type: 'point', filled: true, size: 70, color: '#e45756' }, encoding: { x: { field: 'spectrum', type: 'quantitative' }, y: { field: 'perUser', type: 'quantitative' } } },
      { mark: { type: 'text', align: 'left', dx: 6, dy: -6, fontSize: 10 }, encoding: { x: { field: 'spectrum', type: 'quantitative' }, y: { field: 'perUser', type: 'quantitative' }, text: { field: 'chip' } } },
    ],
  };
  return { spec, alt: points.map((p) => `${p.chip} ${Math.round(p.perUser)} tok/s`).join('; ') };
}
