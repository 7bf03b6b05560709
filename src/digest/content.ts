// What a digest says: the landscape on the channel's model, what changed in data/ since its last digest,
// and one explainer, rotating so consecutive digests differ. The same content on every platform.
import { createHash } from 'node:crypto';
import { chunks, explainerByIndex, explainers } from '../views/explain.ts';
import { landscape, landscapePoints, landscapeTable, shortName, type LandscapeRow } from '../views/landscape.ts';
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

/** The vendors the article is about first, then the rest: one is the focus of each digest, in turn. */
const FOCUS_ORDER = ['NVIDIA', 'Cerebras', 'Groq', 'd-Matrix', 'Etched', 'Taalas', 'AMD', 'Google', 'Intel', 'AWS', 'SambaNova'];
/** Second models, in turn, so each digest also looks at a different kind of model than the channel's. */
const SECOND_MODELS = ['qwen3-235b-a22b', 'deepseek-v3', 'llama-3.1-8b', 'gpt-oss-120b', 'llama-3.1-405b', 'mixtral-8x7b', 'gemma-3-27b'];

const perUser = (r: LandscapeRow) => r.estimate.decode?.tokensPerSecondPerUser.expected ?? 0;
const fastest = (rows: LandscapeRow[]) => [...rows].filter((r) => r.estimate.decode).sort((a, b) => perUser(b) - perUser(a))[0];
const vendorOf = (r: LandscapeRow) => r.vendor.replace(/\s*\(.*\)$/, '');

/** The vendors this landscape has, in focus order (the article's six first). */
export function focusVendors(rows: LandscapeRow[]): string[] {
  const present = [...new Set(rows.map(vendorOf))];
  return [...FOCUS_ORDER.filter((v) => present.some((p) => p.includes(v))), ...present.filter((p) => !FOCUS_ORDER.some((v) => p.includes(v)))];
}

/** One vendor's chips on this model, where they sit on the flexibility-for-speed line, against a reference chip. */
function focusField(rows: LandscapeRow[], vendor: string, model: Model): Field {
  const mine = rows.filter((r) => vendorOf(r).includes(vendor));
  const name = `Focus: ${vendor} on ${model.name}`;
  if (!mine.length) return { name, value: `${vendor} has no chip in the catalog.`, inline: false };
  const serving = mine.filter((r) => r.estimate.decode).sort((a, b) => perUser(a) - perUser(b));
  const groups = [...new Set(mine.map((r) => r.group))].join(', ');
  // a GPU vendor is measured against the fastest chip of all; everyone else against the fastest general-purpose GPU
  const isGpuVendor = mine.every((r) => r.group === 'runs anything');
  const ref = isGpuVendor ? fastest(rows.filter((r) => !vendorOf(r).includes(vendor))) : fastest(rows.filter((r) => r.group === 'runs anything'));
  const against = (r: LandscapeRow) => (ref ? ` — ${fmt.num(perUser(r) / perUser(ref), 2)}× ${shortName(ref.chip)} (${vendorOf(ref)}${isGpuVendor ? ', the fastest chip here' : ', the fastest GPU here'}${claimLabel(ref)})` : '');
  const line = (r: LandscapeRow) => {
    const e = r.estimate;
    if (!e.decode) return `**${shortName(r.chip)}** (${r.group}): ${(e.fit.reason ?? 'cannot serve it').replace(/\.$/, '')}.`;
    return `**${shortName(r.chip)}**: ${fmt.range(e.decode.tokensPerSecondPerUser, 'tok/s')} per user on ${fmt.count(e.chips, e.chip.unit)}, ${e.decode.bottleneck}-bound${against(r)}.`;
  };
  if (mine.length <= 3) return { name, value: `${vendor} on the flexibility-for-speed line: ${groups}.\n${mine.map(line).join('\n')}`, inline: false };
  const slow = serving[0], quick = serving[serving.length - 1];
  const bounds = [...new Set(serving.map((r) => r.estimate.decode!.bottleneck))].join(' or ');
  const value = serving.length
    ? `${mine.length} ${vendor} chips, all on the flexibility-for-speed line as "${groups}": from ${shortName(slow.chip)} at ${fmt.num(perUser(slow))} tok/s to ${shortName(quick.chip)} at ${fmt.num(perUser(quick))} tok/s per user, ${bounds}-bound.\n${line(quick)}`
    : `${mine.length} ${vendor} chips; none can serve ${model.name}.`;
  return { name, value, inline: false };
}

/** The fastest chip per user on a second model, so the digest looks beyond the channel's own model. */
function secondModelField(cat: Catalog, channelModel: Model, turn: number): Field | null {
  const ids = SECOND_MODELS.filter((id) => id !== channelModel.id && cat.modelById.has(id));
  if (!ids.length) return null;
  const model = cat.modelById.get(ids[turn % ids.length])!;
  const rows = landscape(cat, model);
  const best = fastest(rows), gpu = fastest(rows.filter((r) => r.group === 'runs anything'));
  if (!best) return { name: `Also: ${model.name}`, value: `No chip in the catalog can serve ${model.name}.`, inline: false };
  const lead = `Fastest per user: **${shortName(best.chip)}** (${vendorOf(best)}) at ${fmt.range(best.estimate.decode!.tokensPerSecondPerUser, 'tok/s')}${claimLabel(best)}`;
  const gpuLine = gpu && gpu !== best ? `; the fastest GPU, ${shortName(gpu.chip)} (${vendorOf(gpu)}), ${fmt.num(perUser(gpu))} tok/s` : '';
  return { name: `Also: ${model.name}`, value: `${lead}${gpuLine}. \`/landscape ${model.id}\` for every chip.`, inline: false };
}

/**
 * The digest for a channel. `postCount` turns the explainer, the focus vendor and the second model, so consecutive
 * digests in a channel never repeat their body word for word.
 */
export function buildDigest(cat: Catalog, opts: { model: Model; postCount: number; lastSnapshot: string | null; now: Date }): Digest {
  const rows = landscape(cat, opts.model);
  const ok = rows.filter((r) => r.estimate.decode);
  const best = fastest(rows);
  const cur = snapshot(cat, opts.now);
  let prev: Snapshot | null = null;
  try { prev = opts.lastSnapshot ? (JSON.parse(opts.lastSnapshot) as Snapshot) : null; } catch { prev = null; }
  const turn = Math.max(0, Math.trunc(opts.postCount));
  const topic = explainerByIndex(turn);
  const vendors = focusVendors(rows);
  const vendor = vendors[turn % vendors.length];
  // a field holds 1,024 characters on Discord: the explainer is split at sentence ends, never mid-sentence
  const more = `More: \`/explain ${topic.id}\``;
  const parts = chunks(topic.body, 1000);
  if (parts[parts.length - 1].length + more.length + 2 <= 1024) parts[parts.length - 1] += `\n\n${more}`;
  else parts.push(more);
  const explained: Field[] = parts.map((value, i) => ({ name: i === 0 ? `Explained: ${topic.title}` : `Explained: ${topic.title} (continued)`, value, inline: false }));
  const summary = best
    ? `${ok.length} of ${rows.length} chips can serve ${opts.model.name}; fastest per user is **${best.chip}** (${vendorOf(best)}, ${best.group}) at ${fmt.range(best.estimate.decode!.tokensPerSecondPerUser, 'tok/s')} on ${fmt.count(best.estimate.chips, best.estimate.chip.unit)}${claimLabel(best)}. This time: ${vendor} up close, and ${topic.title.replace(/^./, (c) => c.toLowerCase())} explained.`
    : `No chip in the catalog can serve ${opts.model.name}.`;
  const second = secondModelField(cat, opts.model, turn);
  const reply = answer(`memwall digest — the landscape on ${opts.model.name}`, summary, {
    table: landscapeTable(rows),
    chart: ok.length ? landscapeChart(opts.model.name, landscapePoints(rows)) : undefined,
    fields: [changesField(prev, cur, cat), focusField(rows, vendor, opts.model), ...(second ? [second] : []), ...explained],
    notes: [`Per-user decode at batch 1, ${fmt.tokens(1024)} in / ${fmt.tokens(1024)} out, each chip in its usual format, as few chips as fit; ranges span the fitted constants. Chips run from the most flexible (runs anything) to the most specialised (one model). Topic ${(turn % explainers().length) + 1} of ${explainers().length}.`],
    sources: topic.links.map((l) => ({ label: l.label, url: l.url })),
  });
  return { reply, snapshot: JSON.stringify(cur) };
}

/** A figure that rests on vendor claims alone never leads a digest unlabelled. */
function claimLabel(r: LandscapeRow): string {
  return r.estimate.evidence === 'vendor claim' ? ' — a vendor claim, not independently measured' : '';
}
