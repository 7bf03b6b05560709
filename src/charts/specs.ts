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

export interface LandscapePoint {
  chip: string; spectrum: number; perUser: number; low: number; high: number; chips: number; unit: string;
  /** who makes it ("NVIDIA"), shown beside the chip */
  vendor?: string;
  /** where it sits on the flexibility-for-speed line, in words ("runs anything", "one model") */
  group?: string;
}

/** The groups along the flexibility-for-speed line, most flexible first, with their colours. */
export const LINE_GROUPS = ['runs anything', 'compiled ASIC', 'weights in SRAM', 'transformers only', 'one model'] as const;
const GROUP_COLOURS = ['#4c78a8', '#72b7b2', '#f58518', '#e45756', '#b279a2'];

/**
 * Every chip on its own row, most flexible at the top, most specialised at the bottom: a dot at its own expected
 * speed with a whisker for the range and the figure beside it. One row per chip, so no two chips share a mark and
 * no two labels can collide, however close their speeds.
 */
export function landscapeChart(model: string, points: LandscapePoint[]): { spec: Record<string, unknown>; alt: string } {
  const label = (p: LandscapePoint) => (p.vendor && !p.chip.toLowerCase().startsWith(p.vendor.toLowerCase()) ? `${p.chip} · ${p.vendor}` : p.chip);
  const values = [...points].sort((a, b) => a.spectrum - b.spectrum).map((p, i) => ({ ...p, label: label(p), order: i, group: p.group ?? 'runs anything' }));
  const y = { field: 'label', type: 'nominal', title: null, sort: { field: 'order', order: 'ascending' }, axis: { labelLimit: 320, labelFontSize: 11 } };
  const x = { field: 'perUser', type: 'quantitative', title: 'tok/s per user (batch 1, log scale)', scale: { type: 'log', nice: false, padding: 10 } };
  const present = LINE_GROUPS.filter((g) => values.some((v) => v.group === g));
  const spec = {
    ...BASE,
    title: { text: `${model}: decode speed per user, chip by chip`, subtitle: ['most flexible at the top, most specialised at the bottom', 'dot = expected, whisker = range'], anchor: 'start' },
    width: 440, height: { step: 17 },
    data: { values },
    layer: [
      { mark: { type: 'rule', color: '#888' }, encoding: { y, x: { field: 'low', type: 'quantitative', scale: x.scale, title: x.title }, x2: { field: 'high' } } },
      { mark: { type: 'point', filled: true, size: 60, opacity: 1 }, encoding: { y, x, color: { field: 'group', type: 'nominal', title: 'on the line', scale: { domain: present, range: present.map((g) => GROUP_COLOURS[LINE_GROUPS.indexOf(g)]) }, legend: { orient: 'bottom', columns: 3 } } } },
      { mark: { type: 'text', align: 'left', dx: 5, fontSize: 10, color: '#222' }, encoding: { y, x: { field: 'high', type: 'quantitative' }, text: { field: 'perUser', type: 'quantitative', format: ',.3~r' } } },
    ],
  };
  return { spec, alt: values.map((p) => `${p.label} ${Math.round(p.perUser)} tok/s`).join('; ') };
}
