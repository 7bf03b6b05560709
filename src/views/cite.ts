// Sources behind the inputs of an answer, and vendor-claim labels for the figures shown.
import type { Chip, Figure, Model } from '../catalog/schema.ts';
import type { Source } from '../reply/reply.ts';

const KIND_LABEL: Record<Figure['kind'], string> = {
  vendor: 'vendor claim', independent: 'independent', secondary: 'secondary source', derived: 'derived',
};

export function kindLabel(f: Figure | null | undefined): string {
  return f ? KIND_LABEL[f.kind] : 'not published';
}

function host(url: string): string {
  try { return new URL(url).hostname.replace(/^www\./, ''); } catch { return url; }
}

type Sources = Record<string, { url: string; date: string; title?: string }>;

/** A source people can open: a web address (a path on the machine that wrote the data is not one). */
const citable = (s: { url: string }) => /^https?:\/\//i.test(s.url.trim());

/** A title without working notes about how it was found ("… (via shared/reference/models.md, key LM-sku)"). */
const cleanTitle = (t: string) => t.replace(/\s*\(via [^)]*\)/gi, '').replace(/\s*\bvia \S*reference\S*/gi, '').trim();

function cite(sources: Sources, keys: string[], prefix: string): Source[] {
  return keys.filter((k) => sources[k] && citable(sources[k])).map((k) => {
    const s = sources[k];
    const date = s.date.replace(/\s*\(.*\)\s*$/, '') || s.date;
    return { label: `${prefix}: ${s.title ? cleanTitle(s.title) : host(s.url)}, ${date}`, url: s.url };
  });
}

/** Every citable source of a data file, up to `max`, labelled by its key. */
export function citeAll(sources: Sources, max: number): Source[] {
  return Object.entries(sources).filter(([, s]) => citable(s)).slice(0, max)
    .map(([k, s]) => ({ label: `${k}: ${s.title ? cleanTitle(s.title) : host(s.url)} (${s.date.replace(/\s*\(.*?reference.*?\)\s*/gi, '')})`, url: s.url }));
}

/** Sources of a chip's memory, compute and power figures. */
export function chipSources(chip: Chip): Source[] {
  const keys = new Set<string>();
  for (const t of chip.memory) { t.capacityGB?.sources.forEach((s) => keys.add(s)); t.bandwidthGBs?.sources.forEach((s) => keys.add(s)); }
  const fmt = chip.compute[chip.servingFormat];
  fmt?.sources.forEach((s) => keys.add(s));
  chip.powerW?.sources.forEach((s) => keys.add(s));
  return cite(chip.sources, [...keys], chip.name);
}

export function modelSources(model: Model): Source[] {
  return cite(model.sources, Object.keys(model.sources).filter((k) => citable(model.sources[k])).slice(0, 2), model.name);
}

export function dedupe(sources: Source[], max = 6): Source[] {
  const seen = new Set<string>();
  return sources.filter((s) => (seen.has(s.url) ? false : (seen.add(s.url), true))).slice(0, max);
}
