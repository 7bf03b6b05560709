// Every chip on one model, along the flexibility-for-speed spectrum: for /landscape and the digest.
import type { Catalog } from '../catalog/load.ts';
import type { Chip, Model } from '../catalog/schema.ts';
import { landscapeChart, LINE_GROUPS, type LandscapePoint } from '../charts/specs.ts';
import { estimate, type Estimate } from '../core/estimate.ts';
import { defaultFormats } from '../core/formats.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Reply } from '../reply/reply.ts';
import type { DeploymentMode } from '../core/layout.ts';
import { MODE_TEXT } from './compare.ts';
import { DEFAULT_INPUT, DEFAULT_OUTPUT } from './defaults.ts';

export interface LandscapeRow { chipId: string; chip: string; vendor: string; group: (typeof LINE_GROUPS)[number]; spectrum: number; estimate: Estimate }

/** Where a chip sits on the flexibility-for-speed line, in words, from what it can run and where its weights live. */
export function lineGroup(c: Chip): (typeof LINE_GROUPS)[number] {
  if (c.runs.kind === 'hardwired') return 'one model';
  if (c.runs.kind === 'transformers') return 'transformers only';
  if (c.spectrum.position >= 0.5 && c.memory[0]?.kind === 'sram') return 'weights in SRAM';
  if (c.spectrum.position >= 0.25) return 'compiled ASIC';
  return 'runs anything';
}

/** Every chip on one model at batch 1, as few chips as fit, in each chip's usual format (or the model's narrower released one). */
export function landscape(cat: Catalog, model: Model, mode: DeploymentMode = 'fastest'): LandscapeRow[] {
  return [...cat.chips].sort((a, b) => a.spectrum.position - b.spectrum.position).map((c) => {
    const f = defaultFormats(c, undefined, model);
    const e = estimate({ model, chip: c, family: cat.family(c), weights: f.weights, kv: f.kv, inputTokens: DEFAULT_INPUT, outputTokens: DEFAULT_OUTPUT,
      batch: 1, chips: 'auto', reserveFraction: cat.efficiency.runtimeReserve.fraction, mode });
    return { chipId: c.id, chip: c.name, vendor: c.vendor, group: lineGroup(c), spectrum: c.spectrum.position, estimate: e };
  });
}

/** "NVIDIA B200 (HGX)" → "B200": short enough for a table or a chart label */
export function shortName(name: string): string {
  return name.replace(/^(NVIDIA|AMD|Google|AWS|Intel) /, '').replace(/^(Instinct|GeForce) /, '').replace(/ \(.*\)$/, '');
}

/** Bottlenecks in one word, for narrow tables. */
export const BOUND: Record<string, string> = { 'memory bandwidth': 'memory', compute: 'compute', interconnect: 'links', 'latency floor': 'floor', capacity: 'capacity' };

/** The vendor as a short word for a narrow table ("Google", "NVIDIA / Groq" → "NVIDIA/Groq"). */
const vendorWord = (v: string) => v.replace(/\s*\(.*\)$/, '').replace(/\s*\/\s*/g, '/');

export function landscapeTable(rows: LandscapeRow[]) {
  const cannot = (e: Estimate) => (e.fit.refused ? 'cannot run it' : 'does not fit');
  return {
    columns: ['chip', 'vendor', 'on the line', 'tok/s per user', 'chips', 'J/token', 'bound by'],
    align: ['left', 'left', 'left', 'right', 'right', 'right', 'left'] as ('left' | 'right')[],
    rows: rows.map(({ chip, vendor, group, estimate: e }) => e.decode
      ? [`${shortName(chip)}${mark(e)}`, vendor, group, fmt.range(e.decode.tokensPerSecondPerUser), `${e.chips.toLocaleString('en-US')} × ${e.weights}`, e.energy.joulesPerToken ? fmt.range(e.energy.joulesPerToken) : 'unknown', e.decode.bottleneck]
      : [shortName(chip), vendor, group, cannot(e), '', '', '']),
    // Discord: chip, vendor, expected speed and what bounds it; the chart carries the ranges
    narrow: {
      columns: ['chip', 'vendor', 'tok/s', 'bound'],
      align: ['left', 'left', 'right', 'left'] as ('left' | 'right')[],
      rows: rows.map(({ chip, vendor, estimate: e }) => [`${shortName(chip)}${e.decode ? mark(e) : ''}`, vendorWord(vendor), e.decode ? fmt.num(e.decode.tokensPerSecondPerUser.expected) : cannot(e), e.decode ? BOUND[e.decode.bottleneck] ?? e.decode.bottleneck : '']),
    },
  };
}

export function landscapePoints(rows: LandscapeRow[]): LandscapePoint[] {
  return rows.filter((r) => r.estimate.decode).map((r) => ({
    chip: shortName(r.chip), vendor: vendorWord(r.vendor), group: r.group, spectrum: r.spectrum,
    perUser: r.estimate.decode!.tokensPerSecondPerUser.expected, low: r.estimate.decode!.tokensPerSecondPerUser.low,
    high: r.estimate.decode!.tokensPerSecondPerUser.high, chips: r.estimate.chips, unit: r.estimate.chip.unit,
  }));
}

export function landscapeReply(cat: Catalog, model: Model, mode: DeploymentMode = 'fastest'): Reply {
  const rows = landscape(cat, model, mode);
  const ok = rows.filter((r) => r.estimate.decode);
  const best = [...ok].sort((a, b) => b.estimate.decode!.tokensPerSecondPerUser.expected - a.estimate.decode!.tokensPerSecondPerUser.expected)[0];
  const summary = best
    ? `${ok.length} of ${rows.length} chips can serve ${model.name}. Fastest per user: **${best.chip}** at ${fmt.range(best.estimate.decode!.tokensPerSecondPerUser, 'tok/s')} on ${fmt.count(best.estimate.chips, best.estimate.chip.unit)} (${best.estimate.decode!.bottleneck}-bound)${best.estimate.evidence === 'vendor claim' ? ' — a vendor claim, not independently measured' : ''}.`
    : `No chip in the catalog can serve ${model.name}.`;
  return answer(`The landscape on ${model.name}`, summary, {
    table: landscapeTable(rows),
    chart: ok.length ? landscapeChart(model.name, landscapePoints(rows)) : undefined,
    notes: [`Batch 1, ${fmt.tokens(DEFAULT_INPUT)} in / ${fmt.tokens(DEFAULT_OUTPUT)} out, each chip in its usual serving format (or the model's released format where narrower), on ${MODE_TEXT[mode]}. Sorted from the most flexible chip to the most specialised.`,
      ...(rows.some((r) => r.estimate.evidence === 'vendor claim') ? ['† vendor claim, not independently measured: the constants behind these chips rest on the vendor’s own figures.'] : []),
      ...(rows.some((r) => r.estimate.decode && r.estimate.evidence === 'borrowed') ? ['‡ no published measurement calibrates these chips: their efficiency is borrowed from another family, so their speed is an estimate only.'] : [])],
    data: rows.map((r) => ({ chip: r.chipId, spectrum: r.spectrum, chips: r.estimate.chips, layout: r.estimate.layout, deployment: r.estimate.deployment?.line ?? null, evidence: r.estimate.evidence, weights: r.estimate.weights, fits: r.estimate.fit.fits, reason: r.estimate.fit.reason,
      tokensPerSecondPerUser: r.estimate.decode?.tokensPerSecondPerUser ?? null, joulesPerToken: r.estimate.energy.joulesPerToken, bottleneck: r.estimate.decode?.bottleneck ?? null })),
  });
}

/** † rests on vendor claims; ‡ borrowed from another family (no measurement of this chip at all) */
function mark(e: Estimate): string {
  return e.evidence === 'vendor claim' ? ' †' : e.evidence === 'borrowed' ? ' ‡' : '';
}
