// /frontier as a reply: the Pareto frontier of throughput against interactivity, a table at standard
// interactivities, a log-log chart, and every frontier point with its layout in the data.
import type { Catalog } from '../catalog/load.ts';
import type { Model, NumberFormat } from '../catalog/schema.ts';
import { frontierChart, METRIC_LABEL, metricOf, type FrontierMetric } from '../charts/frontier.ts';
import { atInteractivity, frontier, STANDARD_INTERACTIVITIES, type ChipFrontier } from '../core/frontier.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Reply } from '../reply/reply.ts';
import { chipSources, dedupe } from './cite.ts';
import { layoutLine, priceNote, priceSources, SWEPT_LAYOUTS, type PricedChip } from './deploy.ts';

export interface FrontierAsk {
  model: Model;
  chips: PricedChip[];
  inputTokens: number;
  outputTokens: number;
  weights?: NumberFormat;
  metric: FrontierMetric;
  chunkTokens: number | null;
}

const short = (x: number) => (x >= 10_000 ? `${fmt.num(x / 1000, 3)}k` : fmt.num(x, 3));

export function frontierReply(cat: Catalog, ask: FrontierAsk): Reply {
  const result = frontier({ model: ask.model, chips: ask.chips, inputTokens: ask.inputTokens, outputTokens: ask.outputTokens,
    reserveFraction: cat.efficiency.runtimeReserve.fraction, weights: ask.weights, serving: { chunkTokens: ask.chunkTokens } });
  return frontierView(cat, ask, result);
}

export function frontierView(cat: Catalog, ask: FrontierAsk, result: ChipFrontier[]): Reply {
  const m = ask.metric;
  const lengths = `${fmt.tokens(ask.inputTokens)} in / ${fmt.tokens(ask.outputTokens)} out`;
  const title = `${ask.model.name}: ${METRIC_LABEL[m]} against tokens/s per user`;
  const rows = result.map((f) => {
    if (!f.points.length) return [f.chip.name, ...STANDARD_INTERACTIVITIES.map(() => '—')];
    return [f.chip.name, ...STANDARD_INTERACTIVITIES.map((t) => {
      const p = atInteractivity(f.points, t);
      const y = p ? metricOf(p, m) : null;
      return p ? (y ? short(y.expected) : 'unknown') : 'cannot';
    })];
  });
  const fields = result.map((f) => {
    if (!f.points.length) return { name: f.chip.name, value: `No frontier: ${f.reason ?? 'no deployment holds it'}.`, inline: false };
    const fastest = f.points[f.points.length - 1], most = f.points[0];
    const y = (p: typeof most) => { const r = metricOf(p, m); return r ? fmt.range(r) : `${fmt.range(p.perChip)} per chip (${m === 'kw' ? 'per kW' : 'per $/hour'} unknown)`; };
    return {
      name: f.chip.name,
      value: `reaches **${fmt.num(fastest.perUser.expected)}** tok/s per user (${fastest.weights.toUpperCase()}, ${layoutLine(fastest.layout, f.chip)}, batch ${fastest.batch}); `
        + `most throughput ${y(most)} at ${fmt.num(most.perUser.expected)} tok/s per user (${most.weights.toUpperCase()}, ${layoutLine(most.layout, f.chip)}, batch ${most.batch})`,
      inline: false,
    };
  });
  const unreachable = result.filter((f) => f.points.length && f.points[f.points.length - 1].perUser.expected < STANDARD_INTERACTIVITIES[STANDARD_INTERACTIVITIES.length - 1]);
  const top = result.filter((f) => f.points.length).map((f) => ({ f, v: f.points[f.points.length - 1].perUser.expected })).sort((a, b) => b.v - a.v)[0];
  const summary = top
    ? `Fastest per user: **${top.f.chip.name}** at ${fmt.num(top.v)} tok/s. ${unreachable.length ? `Cannot reach ${STANDARD_INTERACTIVITIES[STANDARD_INTERACTIVITIES.length - 1]} tok/s per user: ${unreachable.map((f) => f.chip.name).join(', ')}.` : ''}`.trim()
    : 'None of these chips can serve this model.';
  const missingMetric = m !== 'chip' ? result.filter((f) => f.points.length && !metricOf(f.points[0], m)).map((f) => f.chip.name) : [];
  const notes = [
    `Each cell: the most ${METRIC_LABEL[m]} a deployment delivers while every user gets at least that many tokens/s (“cannot” = no deployment gets there). ${lengths}, continuous batching with prefill interference${ask.chunkTokens ? ` (chunked prefill, ${ask.chunkTokens} tokens a step)` : ''}.`,
    `Swept: ${ask.weights ? `${ask.weights.toUpperCase()} weights` : 'each chip\u2019s usual format and its native 8/16-bit formats'}; ${SWEPT_LAYOUTS}; batches up to what memory holds and, on GPU-style chips, vLLM's default max-num-seqs (1,024 on 70 GiB+ GPUs, 256 below; data/serving.json).`,
  ];
  const noPrefill = result.filter((f) => f.points.length && f.points.every((p) => p.ttftMs === null)).map((f) => f.chip.name);
  if (noPrefill.length) notes.push(`Compute unpublished for ${noPrefill.join(', ')}: prefill is left out of its throughput, so its frontier is optimistic.`);
  if (missingMetric.length) notes.push(`${m === 'kw' ? 'Power' : 'Price'} unknown for ${missingMetric.join(', ')}.`);
  if (m === 'usd' || m === 'chip') notes.push(priceNote(cat, ask.chips.map((c) => c.chip)));
  const chart = frontierChart(ask.model.name, lengths, result, m);
  return answer(title, summary, {
    table: { columns: ['tok/s per user ≥', ...STANDARD_INTERACTIVITIES.map(String)], rows, align: ['left', ...STANDARD_INTERACTIVITIES.map(() => 'right' as const)] },
    fields, chart, notes,
    sources: dedupe([...ask.chips.flatMap((c) => chipSources(c.chip).slice(0, 2)), ...priceSources(cat, ask.chips.map((c) => c.chip))], 8),
    data: {
      model: ask.model.id, inputTokens: ask.inputTokens, outputTokens: ask.outputTokens, metric: m, chunkTokens: ask.chunkTokens,
      priceBasis: cat.prices.basis,
      chips: result.map((f) => ({
        chip: f.chip.id, reason: f.reason ?? null, evaluations: f.evaluations,
        atInteractivity: Object.fromEntries(STANDARD_INTERACTIVITIES.map((t) => [t, atInteractivity(f.points, t)])),
        frontier: f.points,
      })),
    },
  });
}

