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

function cite(sources: Record<string, { url: string; date: string; title?: string }>, keys: string[], prefix: string): Source[] {
  return keys.filter((k) => sources[k]).map((k) => {
    const s = sources[k];
    const date = s.date.replace(/\s*\(.*\)\s*$/, '') || s.date;
    return { label: `${prefix}: ${s.title ?? host(s.url)}, ${date}`, url: s.url };
  });
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
  return cite(model.sources, Object.keys(model.sources).slice(0, 2), model.name);
}

export function dedupe(sources: Source[], max = 6): Source[] {
  const seen = new Set<string>();
  return sources.filter((s) => (seen.has(s.url) ? false : (seen.add(s.url), true))).slice(0, max);
}
