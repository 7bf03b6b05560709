// data/prices.json: one stated cost basis ($ per chip-hour of one kind) for every chip, or unknown. Loaded with the
// catalog; a missing file means every price is unknown, never a crash.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { Figure, Source } from './schema.ts';

export const PricesFile = z.object({
  /** the one basis every price in the file is stated on, e.g. "rental, on-demand $/chip-hour" */
  basis: z.string().min(3),
  chips: z.record(z.string(), z.object({ usdPerChipHour: Figure.nullable(), note: z.string().optional() })),
  sources: z.record(z.string(), Source),
});
export type PricesFile = z.infer<typeof PricesFile>;

export interface Prices {
  /** the stated basis, or null when no price file is loaded */
  basis: string | null;
  /** $ per chip-hour on that basis; absent or null = unknown */
  byChip: Map<string, z.infer<typeof Figure> | null>;
  sources: Record<string, Source>;
}

export const NO_PRICES: Prices = { basis: null, byChip: new Map(), sources: {} };

/** Parse a prices document; throws a message naming the field on a broken one. */
export function parsePrices(raw: unknown, where = 'data/prices.json'): Prices {
  const r = PricesFile.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new Error(`${where}: field ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  const p = r.data;
  for (const [chip, entry] of Object.entries(p.chips)) {
    for (const key of entry.usdPerChipHour?.sources ?? []) {
      if (!(key in p.sources)) throw new Error(`${where}: field chips.${chip}.usdPerChipHour.sources: source "${key}" is not in the file's sources`);
    }
    if (entry.usdPerChipHour && !(entry.usdPerChipHour.value > 0)) throw new Error(`${where}: field chips.${chip}.usdPerChipHour.value: a price must be positive`);
  }
  return { basis: p.basis, byChip: new Map(Object.entries(p.chips).map(([k, v]) => [k, v.usdPerChipHour])), sources: p.sources };
}

/** Read a prices file if it exists: missing → every price unknown. */
export function loadPrices(file: string): Prices {
  if (!existsSync(file)) return NO_PRICES;
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new Error(`data/prices.json: not valid JSON (${(e as Error).message})`); }
  return parsePrices(raw);
}

/** $ per chip-hour for a chip on the file's basis, or null when unknown. */
export function priceOf(prices: Prices, chipId: string): number | null {
  return prices.byChip.get(chipId)?.value ?? null;
}
