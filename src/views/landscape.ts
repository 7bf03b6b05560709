// Every chip on one model, along the flexibility-for-speed spectrum: for /landscape and the digest.
import type { Catalog } from '../catalog/load.ts';
import type { Model } from '../catalog/schema.ts';
import { landscapeChart, type LandscapePoint } from '../charts/specs.ts';
import { estimate, type Estimate } from '../core/estimate.ts';
import { defaultFormats } from '../core/formats.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Reply } from '../reply/reply.ts';
import type { DeploymentMode } from '../core/layout.ts';
import { MODE_TEXT } from './compare.ts';
import { DEFAULT_INPUT, DEFAULT_OUTPUT } from './defaults.ts';

export interface LandscapeRow { chipId: string; chip: string; spectrum: number; estimate: Estimate }

/** Every chip on one model at batch 1, as few chips as fit, in each chip's usual format. */
export function landscape(cat: Catalog, model: Model, mode: DeploymentMode = 'fastest'): LandscapeRow[] {
  return [...cat.chips].sort((a, b) => a.spectrum.position - b.spectrum.position).map((c) => {
    const f = defaultFormats(c);
    const e = estimate({ model, chip: c, family: cat.family(c), weights: f.weights, kv: f.kv, inputTokens: DEFAULT_INPUT, outputTokens: DEFAULT_OUTPUT,
      batch: 1, chips: 'auto', reserveFraction: cat.efficiency.runtimeReserve.fraction, mode });
    return { chipId: c.id, chip: c.name, spectrum: c.spectrum.position, estimate: e };
  });
}

/** "NVIDIA B200 (HGX)" → "B200": short enough for a table or a chart label */
export function shortName(name: string): string {
  return name.replace(/^(NVIDIA|AMD|Google|AWS) /, '').replace(/^Instinct /, '').replace(/ \(.*\)$/, '');
}

export function landscapeTable(rows: LandscapeRow[]) {
  return {
    columns: ['chip', 'tok/s per user', 'chips', 'J/token', 'bound by'],
    align: ['left', 'right', 'right', 'right', 'left'] as ('left' | 'right')[],
    rows: rows.map(({ chip, estimate: e }) => e.decode
      ? [`${shortName(chip)}${e.evidence === 'vendor claim' ? ' †' : ''}`, fmt.range(e.decode.tokensPerSecondPerUser), `${e.chips.toLocaleString('en-US')} × ${e.weights}`, e.energy.joulesPerToken ? fmt.range(e.energy.joulesPerToken) : 'unknown', e.decode.bottleneck]
      : [shortName(chip), e.fit.refused ? 'cannot run it' : 'does not fit', '', '', '']),
  };
}

export function landscapePoints(rows: LandscapeRow[]): LandscapePoint[] {
  return rows.filter((r) => r.estimate.decode).map((r) => ({
    chip: shortName(r.chip), spectrum: r.spectrum,
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
    notes: [`Batch 1, ${fmt.tokens(DEFAULT_INPUT)} in / ${fmt.tokens(DEFAULT_OUTPUT)} out, each chip in its usual serving format, on ${MODE_TEXT[mode]}. Sorted from the most flexible chip to the most specialised.`,
      ...(rows.some((r) => r.estimate.evidence === 'vendor claim') ? ['† vendor claim, not independently measured: the constants behind these chips rest on the vendor’s own figures.'] : [])],
    data: rows.map((r) => ({ chip: r.chipId, spectrum: r.spectrum, chips: r.estimate.chips, layout: r.estimate.layout, deployment: r.estimate.deployment?.line ?? null, evidence: r.estimate.evidence, weights: r.estimate.weights, fits: r.estimate.fit.fits, reason: r.estimate.fit.reason,
      tokensPerSecondPerUser: r.estimate.decode?.tokensPerSecondPerUser ?? null, joulesPerToken: r.estimate.energy.joulesPerToken, bottleneck: r.estimate.decode?.bottleneck ?? null })),
  });
}
