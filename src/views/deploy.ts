// Shared by the frontier, plan and goodput views: chips with their one-basis price, layouts in one line, price notes.
import type { Catalog } from '../catalog/load.ts';
import { priceOf } from '../catalog/prices.ts';
import type { Chip } from '../catalog/schema.ts';
import { describeLayout } from '../core/layout.ts';
import { splitRule, type DeploymentLayout } from '../core/sweep.ts';
import type { Source } from '../reply/reply.ts';

export interface PricedChip { chip: Chip; family: ReturnType<Catalog['family']>; usdPerChipHour: number | null; engineMaxBatch: number | null }

/** A chip with its price on the price file's one basis (never the chip file's own mix of rental and purchase), and the
 *  serving engine's limit on concurrent sequences (vLLM's default max-num-seqs, data/serving.json). */
export function priced(cat: Catalog, chip: Chip): PricedChip {
  return { chip, family: cat.family(chip), usdPerChipHour: priceOf(cat.prices, chip.id), engineMaxBatch: cat.serving.engineMaxBatch(chip) };
}

/** The layout in one line, as the core says it ("TP8 × PP2 × 4 replicas", "one pipeline over 432 chips (the compiler's own split)"). */
export function layoutLine(l: DeploymentLayout, chip: Chip): string {
  return describeLayout(l, splitRule(chip), chip.unit);
}

/** What the sweeps try, said once for every answer that shows one. */
export const SWEPT_LAYOUTS = 'layouts: each tensor-parallel degree that divides the attention heads within the scale-up domain, with the fewest pipeline stages that hold the model and 2× and 4× that (the vendor\u2019s own split on spatial chips, one card on single-card chips)';

/** What the prices rest on, said once: the basis, or that prices are unknown. */
export function priceNote(cat: Catalog, chips: Chip[]): string {
  if (cat.prices.basis === null) return 'No price file is loaded, so every cost is unknown (costs are never mixed across bases).';
  const unknown = chips.filter((c) => priceOf(cat.prices, c.id) === null).map((c) => c.name);
  return `Prices: ${cat.prices.basis}, the same basis for every chip.${unknown.length ? ` Unknown for ${unknown.join(', ')} (left out of cost comparisons).` : ''}`;
}

export function priceSources(cat: Catalog, chips: Chip[]): Source[] {
  const out: Source[] = [];
  for (const c of chips) {
    const f = cat.prices.byChip.get(c.id);
    for (const k of f?.sources ?? []) {
      const s = cat.prices.sources[k];
      if (s) out.push({ label: `${c.name} price: ${s.title ?? s.url.replace(/^https?:\/\/(www\.)?/, '').split('/')[0]}, ${s.date}`, url: s.url });
    }
  }
  return out;
}

/** Chips as given (ids or names), de-duplicated, in order. */
export function chipArgs(o: Record<string, unknown>, names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const v = o[n];
    if (typeof v === 'string' && v.trim()) out.push(v.trim());
  }
  return out;
}
