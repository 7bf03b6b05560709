// Explainers: a short text on one idea (memory wall, KV cache, …) or one approach (Groq, Cerebras, …), with links to
// go further and the related /chip names — for /explain and the digest's rotating explainer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { catalog as loadedCatalog, CatalogError, DATA_DIR, type Catalog } from '../catalog/load.ts';
import { normalise, rank } from '../catalog/resolve.ts';
import { Explainer } from '../catalog/schema.ts';
import { answer, errorReply, type Field, type Reply } from '../reply/reply.ts';

export const EXPLAINERS_FILE = join(DATA_DIR, 'explainers.json');

/** Discord caps a field value at 1,024 characters; the body is split at paragraph breaks to stay under it. */
const FIELD_MAX = 1024;

/**
 * Reads and validates an explainers file: a JSON array of Explainer objects with unique ids, where no id, title
 * or alias (normalised) points at two different topics. Errors name the file and the entry.
 */
export function loadExplainers(file = EXPLAINERS_FILE): Explainer[] {
  const where = file === EXPLAINERS_FILE ? 'data/explainers.json' : file;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CatalogError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const r = z.array(Explainer).safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const [entry, ...path] = issue.path;
    if (typeof entry !== 'number') throw new CatalogError(`${where}: ${issue.message} (expected a JSON array of explainers)`);
    const id = (raw as { id?: unknown }[])[entry]?.id;
    const name = typeof id === 'string' ? `, ${id}` : '';
    throw new CatalogError(`${where} (entry ${entry}${name}): field ${path.length ? path.join('.') : '(root)'}: ${issue.message}`);
  }
  const owner = new Map<string, string>();
  r.data.forEach((e, i) => {
    if (r.data.findIndex((x) => x.id === e.id) !== i) throw new CatalogError(`${where} (entry ${i}, ${e.id}): two explainers have the id "${e.id}"`);
    for (const key of keysOf(e)) {
      const other = owner.get(key);
      if (other && other !== e.id) throw new CatalogError(`${where} (entry ${i}, ${e.id}): the name "${key}" also belongs to "${other}"`);
      owner.set(key, e.id);
    }
  });
  return r.data;
}

let cached: Explainer[] | undefined;
/** Every explainer in data/explainers.json, loaded and validated on first use. */
export function explainers(): Explainer[] {
  cached ??= loadExplainers();
  return cached;
}

/** The i-th explainer, wrapping around (any integer works), for the digest's rotating explainer. */
export function explainerByIndex(i: number): Explainer {
  const all = explainers();
  const n = all.length;
  return all[((Math.trunc(i) % n) + n) % n];
}

function keysOf(e: Explainer): string[] {
  return [e.id, e.title, ...e.aliases].map(normalise).filter(Boolean);
}

/** The topic whose id, title or alias matches (after normalising), if any. */
export function findExplainer(text: string): Explainer | undefined {
  const key = normalise(text);
  if (!key) return undefined;
  return explainers().find((e) => keysOf(e).includes(key));
}

const ABBREVIATIONS = new Set(['e.g', 'i.e', 'vs', 'etc', 'cf', 'approx', 'incl', 'no', 'fig']);

/** Splits markdown into its first sentence and the rest (abbreviations such as "e.g." do not end a sentence). */
export function firstSentence(body: string): { first: string; rest: string } {
  const text = body.trim();
  const para = text.split(/\n\s*\n/)[0];
  const end = /[.!?](?=\s|$)/g;
  for (let m = end.exec(para); m; m = end.exec(para)) {
    const word = para.slice(0, m.index).split(/\s/).pop()!.replace(/^[(*_]+/, '').toLowerCase();
    if (ABBREVIATIONS.has(word)) continue;
    const cut = m.index + 1;
    return { first: text.slice(0, cut).trim(), rest: text.slice(cut).trim() };
  }
  return { first: para.trim(), rest: text.slice(para.length).trim() };
}

/** Groups paragraphs into chunks of at most `max` characters (a single longer paragraph is cut at a line break or word). */
function chunks(text: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (let p of text.split(/\n\s*\n/)) {
    while (p.length > max) {
      const at = Math.max(p.lastIndexOf('\n', max), p.lastIndexOf(' ', max));
      const cut = at > 0 ? at : max;
      if (cur) { out.push(cur); cur = ''; }
      out.push(p.slice(0, cut).trimEnd());
      p = p.slice(cut).trimStart();
    }
    if (cur && cur.length + 2 + p.length > max) { out.push(cur); cur = ''; }
    cur = cur ? `${cur}\n\n${p}` : p;
  }
  if (cur) out.push(cur);
  return out;
}

/** One explainer as a reply: the first sentence as the answer, the rest as fields, links as sources, related chips as a note. */
export function explainReply(e: Explainer, cat?: Catalog): Reply {
  const { first, rest } = firstSentence(e.body);
  const fields: Field[] = chunks(rest, FIELD_MAX).map((value, i) => ({ name: i === 0 ? 'In more detail' : 'Continued', value, inline: false }));
  const notes: string[] = [];
  if (e.chips.length) {
    const chips = cat ?? loadedCatalog();
    const names = e.chips.map((id) => {
      const c = chips.chipById.get(id);
      return c ? `\`/chip ${id}\` (${c.name})` : `\`/chip ${id}\``;
    });
    notes.push(`Related chips: ${names.join(', ')}.`);
  }
  return answer(e.title, first, {
    fields,
    notes,
    sources: e.links.map((l) => ({ label: l.label, url: l.url })),
    data: e,
  });
}

/** No topic: every topic as a table. */
export function topicList(): Reply {
  const all = explainers();
  return answer('Topics I can explain', `${all.length} topics, ideas first, then one per kind of chip. \`/explain <topic>\` for one.`, {
    table: { columns: ['id', 'title'], rows: all.map((e) => [e.id, e.title]) },
    data: all.map((e) => ({ id: e.id, title: e.title, aliases: e.aliases })),
  });
}

export function unknownTopic(text: string): Reply {
  const named = explainers().map((e) => ({ id: e.id, name: e.title, aliases: e.aliases }));
  const suggestions = rank(named, text).filter((r) => r.score < 3.6).slice(0, 3).map((r) => r.item.id);
  const hint = suggestions.length ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?` : '';
  return errorReply(`I don't have an explainer called "${text.trim()}".${hint}`, 'Use `/explain` with no topic to see every topic.');
}
