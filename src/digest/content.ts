// What a digest says: the landscape on the channel's model, what changed in data/ since its last digest,
// and one explainer, rotating so consecutive digests differ. The same content on every platform.
import { createHash } from 'node:crypto';
import { explainerByIndex, explainers } from '../views/explain.ts';
import { landscape, landscapePoints, landscapeTable } from '../views/landscape.ts';
import type { Catalog } from '../catalog/load.ts';
import type { Chip, Figure, Model } from '../catalog/schema.ts';
import { landscapeChart } from '../charts/specs.ts';
import { paramCounts } from '../core/architecture.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Field } from '../reply/reply.ts';
import type { Digest } from './types.ts';

interface Entry { name: string; hash: string; figures: Record<string, number | null>; source?: string }
export interface Snapshot { at: string; chips: Record<string, Entry>; models: Record<string, Entry> }

function hash(x: unknown): string {
  return createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);
}

function firstSource(chip: Chip, f: Figure | null | undefined): string | undefined {
  const key = f?.sources[0];
  return key ? chip.sources[key]?.url : undefined;
}

function chipFigures(c: Chip): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const t of c.memory) {
    out[`${t.label} capacity (GB)`] = t.capacityGB?.value ?? null;
    out[`${t.label} bandwidth (GB/s)`] = t.bandwidthGBs?.value ?? null;
  }
  for (const [f, v] of Object.entries(c.compute)) if (v) out[`${f.toUpperCase()} dense (TFLOPS)`] = v.value;
  out['power (W)'] = c.powerW?.value ?? null;
  out['link (GB/s)'] = c.link.bandwidthGBs?.value ?? null;
  out['price ($/h)'] = c.price.hourlyUsd?.value ?? null;
  return out;
}

function modelFigures(m: Model): Record<string, number | null> {
  return { 'parameters (B)': Math.round(paramCounts(m).total / 1e7) / 100, layers: m.layers, 'context (tokens)': m.maxContext };
}

export function snapshot(cat: Catalog, at: Date): Snapshot {
  const chips: Record<string, Entry> = {}, models: Record<string, Entry> = {};
  for (const c of cat.chips) chips[c.id] = { name: c.name, hash: hash(c), figures: chipFigures(c), source: firstSource(c, c.memory[0]?.bandwidthGBs) };
  for (const m of cat.models) models[m.id] = { name: m.name, hash: hash(m), figures: modelFigures(m), source: Object.values(m.sources)[0]?.url };
  return { at: at.toISOString(), chips, models };
}

export interface Change { kind: 'added' | 'removed' | 'revised'; what: 'chip' | 'model'; id: string; name: string; details: string[]; source?: string }

export function diff(prev: Snapshot, cur: Snapshot): Change[] {
  const changes: Change[] = [];
  for (const what of ['chip', 'model'] as const) {
    const a = what === 'chip' ? prev.chips : prev.models, b = what === 'chip' ? cur.chips : cur.models;
    for (const [id, e] of Object.entries(b)) {
      const old = a[id];
      if (!old) { changes.push({ kind: 'added', what, id, name: e.name, details: [], source: e.source }); continue; }
      if (old.hash === e.hash) continue;
      const details = Object.keys({ ...old.figures, ...e.figures })
        .filter((k) => (old.figures[k] ?? null) !== (e.figures[k] ?? null))
        .map((k) => `${k}: ${old.figures[k] === undefined || old.figures[k] === null ? 'unknown' : fmt.num(old.figures[k] as number)} → ${e.figures[k] === undefined || e.figures[k] === null ? 'unknown' : fmt.num(e.figures[k] as number)}`);
      changes.push({ kind: 'revised', what, id, name: e.name, details: details.length ? details : ['sources or notes updated'], source: e.source });
    }
    for (const [id, e] of Object.entries(a)) if (!b[id]) changes.push({ kind: 'removed', what, id, name: e.name, details: [] });
  }
  return changes;
}

function changesField(prev: Snapshot | null, cur: Snapshot, cat: Catalog): Field {
  if (!prev) return { name: 'What changed', value: `First digest in this channel. The catalog holds ${cat.chips.length} chips and ${cat.models.length} models; from now on this section lists what was added or revised since the previous digest.`, inline: false };
  const changes = diff(prev, cur);
  if (!changes.length) return { name: 'What changed', value: `Nothing in the catalog changed since the last digest (${prev.at.slice(0, 10)}).`, inline: false };
  const lines = changes.slice(0, 8).map((c) => {
    const head = `${c.kind === 'added' ? '➕ added' : c.kind === 'removed' ? '➖ removed' : '✏️ revised'} ${c.what} **${c.name}**`;
    const more = c.details.length ? `: ${c.details.slice(0, 3).join('; ')}` : '';
    return `${head}${more}${c.source ? ` ([source](${c.source}))` : ''}`;
  });
  if (changes.length > 8) lines.push(`… and ${changes.length - 8} more`);
  return { name: `What changed since ${prev.at.slice(0, 10)}`, value: lines.join('\n'), inline: false };
}

/** The digest for a channel. `postCount` picks the explainer, so consecutive digests differ. */
export function buildDigest(cat: Catalog, opts: { model: Model; postCount: number; lastSnapshot: string | null; now: Date }): Digest {
  const rows = landscape(cat, opts.model);
  const ok = rows.filter((r) => r.estimate.decode);
  const best = [...ok].sort((a, b) => b.estimate.decode!.tokensPerSecondPerUser.expected - a.estimate.decode!.tokensPerSecondPerUser.expected)[0];
  const cur = snapshot(cat, opts.now);
  let prev: Snapshot | null = null;
  try { prev = opts.lastSnapshot ? (JSON.parse(opts.lastSnapshot) as Snapshot) : null; } catch { prev = null; }
  const topic = explainerByIndex(opts.postCount);
  // one embed field holds 1,024 characters: keep the "More" line whole and shorten the body to fit
  const more = `More: \`/explain ${topic.id}\` · ${topic.links.slice(0, 1).map((l) => `[${l.label}](${l.url})`).join(' · ')}`;
  const room = 1024 - more.length - 2;
  const body = topic.body.length > room ? `${topic.body.slice(0, room - 2).replace(/\s+\S*$/, '')} …` : topic.body;
  const summary = best
    ? `${ok.length} of ${rows.length} chips can serve ${opts.model.name}; fastest per user is **${best.chip}** at ${fmt.range(best.estimate.decode!.tokensPerSecondPerUser, 'tok/s')} on ${fmt.count(best.estimate.chips, best.estimate.chip.unit)}.`
    : `No chip in the catalog can serve ${opts.model.name}.`;
  const reply = answer(`memwall digest — the landscape on ${opts.model.name}`, summary, {
    table: landscapeTable(rows),
    chart: ok.length ? landscapeChart(opts.model.name, landscapePoints(rows)) : undefined,
    fields: [
      changesField(prev, cur, cat),
      { name: `Explained: ${topic.title}`, value: `${body}\n\n${more}`, inline: false },
    ],
    notes: [`Per-user decode at batch 1, ${fmt.tokens(1024)} in / ${fmt.tokens(1024)} out, each chip in its usual format, as few chips as fit; ranges span the fitted constants. Topic ${(opts.postCount % explainers().length) + 1} of ${explainers().length}.`],
    sources: topic.links.map((l) => ({ label: l.label, url: l.url })),
  });
  return { reply, snapshot: JSON.stringify(cur) };
}
