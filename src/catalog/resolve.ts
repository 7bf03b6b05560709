// Resolves names the way people type them ("llama-70b", "Llama-3.1-70B-Instruct", "cerebras", "h100 sxm").
import type { Chip, Model } from './schema.ts';
import type { Catalog } from './load.ts';

export type Resolved<T> =
  | { ok: true; item: T; note?: string; alternatives: T[] }
  | { ok: false; error: string; suggestions: string[] };

const SUFFIXES = /-(instruct|chat|it|hf|base|preview|fp8|bf16)(?=-|$)/g;

/** Lowercase, drop an org prefix and release suffixes, keep only letters, digits and dots. */
export function normalise(text: string): string {
  let t = text.trim().toLowerCase();
  const slash = t.lastIndexOf('/');
  if (slash >= 0) t = t.slice(slash + 1);
  t = t.replace(/[\s_]+/g, '-').replace(SUFFIXES, '');
  return t.replace(/[^a-z0-9.]/g, '');
}

interface Named { id: string; name: string; aliases: string[] }

function keysOf(x: Named): string[] {
  return [x.id, x.name, ...x.aliases].map(normalise);
}

/** Keys for fuzzy ranking: the exact keys plus the vendor, so a misspelt vendor ("etchd") still finds its chip. */
function rankKeysOf(x: Named): string[] {
  const vendor = (x as { vendor?: string }).vendor;
  return vendor ? [...keysOf(x), normalise(vendor)] : keysOf(x);
}

function buildIndex<T extends Named>(items: T[]): Map<string, T> {
  const index = new Map<string, T>();
  for (const it of items) for (const k of keysOf(it)) if (!index.has(k)) index.set(k, it);
  return index;
}

const indexes = new WeakMap<object, Map<string, Named>>();
function indexFor<T extends Named>(items: T[]): Map<string, T> {
  let idx = indexes.get(items);
  if (!idx) { idx = buildIndex(items); indexes.set(items, idx); }
  return idx as Map<string, T>;
}

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Items ranked by how well `query` matches any of their names: exact, prefix, substring, then edit distance. */
export function rank<T extends Named>(items: T[], query: string): { item: T; score: number }[] {
  const q = normalise(query);
  const scored = items.map((item) => {
    let best = Infinity;
    for (const k of rankKeysOf(item)) {
      let s: number;
      if (!q) s = 0;
      else if (k === q) s = 0;
      else if (k.startsWith(q)) s = 1 + (k.length - q.length) / 100;
      else if (k.includes(q)) s = 2 + (k.length - q.length) / 100;
      else s = 3 + editDistance(q, k) / Math.max(q.length, 1);
      if (s < best) best = s;
    }
    return { item, score: best };
  });
  return scored.sort((a, b) => a.score - b.score || a.item.name.localeCompare(b.item.name));
}

/** The words of a name that say what line or kind of thing it is: "NVIDIA GeForce RTX 4090" → nvidia, geforce, rtx. */
function lineWords(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])/).filter((w) => /^[a-z]{2,}$/.test(w));
}

/**
 * Items that share a product-line word with the query ("rtx 4080" → the RTX cards), else its vendor ("nvidia x" →
 * NVIDIA's chips); empty when the query names neither, so spelling alone decides.
 */
function related<T extends Named>(items: T[], query: string): T[] {
  const q = new Set(lineWords(query));
  if (!q.size) return [];
  const vendorOf = (x: T) => lineWords((x as { vendor?: string }).vendor ?? '');
  const vendors = new Set(items.flatMap(vendorOf));
  const line = items.filter((x) => [x.name, ...x.aliases].flatMap(lineWords).some((w) => q.has(w) && !vendors.has(w)));
  if (line.length) return line;
  return items.filter((x) => vendorOf(x).some((w) => q.has(w)));
}

function didYouMean<T extends Named>(items: T[], query: string, what: string): Resolved<T> {
  const near = related(items, query);
  const ranked = near.length ? rank(near, query).slice(0, 3) : rank(items, query).filter((r) => r.score < 3.6).slice(0, 3);
  const suggestions = ranked.map((r) => r.item.id);
  const hint = suggestions.length ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?` : '';
  return { ok: false, error: `I don't know a ${what} called "${query.trim()}".${hint}`, suggestions };
}

export function resolveModel(cat: Catalog, text: string): Resolved<Model> {
  if (!text.trim()) return { ok: false, error: 'Which model? Give a name such as `llama-3.1-70b`.', suggestions: [] };
  const hit = indexFor(cat.models).get(normalise(text));
  if (hit) return { ok: true, item: hit, alternatives: [] };
  return didYouMean(cat.models, text, 'model');
}

function vendorKey(vendor: string): string {
  return normalise(vendor);
}

export function resolveChip(cat: Catalog, text: string): Resolved<Chip> {
  if (!text.trim()) return { ok: false, error: 'Which chip? Give a name such as `h100` or `cerebras`.', suggestions: [] };
  const key = normalise(text);
  const hit = indexFor(cat.chips).get(key);
  if (hit) return { ok: true, item: hit, alternatives: [] };
  const byVendor = cat.chips.filter((c) => vendorKey(c.vendor) === key || c.vendor.toLowerCase().split(/[\s/()]+/).map(normalise).includes(key));
  if (byVendor.length) {
    const pick = byVendor.find((c) => c.vendorDefault) ?? byVendor[0];
    const others = byVendor.filter((c) => c !== pick);
    const note = others.length
      ? `"${text.trim()}" taken as ${pick.name}; also from ${pick.vendor}: ${others.map((c) => c.name).join(', ')}.`
      : `"${text.trim()}" taken as ${pick.name}.`;
    return { ok: true, item: pick, note, alternatives: others };
  }
  return didYouMean(cat.chips, text, 'chip');
}

/** Does this text name a model (or a chip or chip vendor) exactly, as resolveModel/resolveChip would take it? No ranking. */
export function namesEntry(cat: Catalog, kind: 'model' | 'chip', text: string): boolean {
  const key = normalise(text);
  if (!key) return false;
  if (kind === 'model') return indexFor(cat.models).has(key);
  return indexFor(cat.chips).has(key) || cat.chips.some((c) => vendorKey(c.vendor) === key || c.vendor.toLowerCase().split(/[\s/()]+/).map(normalise).includes(key));
}

/** Autocomplete: up to `limit` choices for a partial name, aliases included. */
export function suggest<T extends Named>(items: T[], query: string, limit = 25): { name: string; value: string }[] {
  return rank(items, query).slice(0, limit).map((r) => ({ name: r.item.name, value: r.item.id }));
}
