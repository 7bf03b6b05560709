// Reply → Discord message JSON (embeds + button rows), as the API takes it.
// Every Discord limit is enforced here by truncating or splitting, never by failing: the title and the start of the
// one-line answer always survive; the table, fields, sources and notes give way, in that order of least importance.
import type { Button, Field, Reply, Source, Table } from './reply.ts';
import { plain, tableText } from './text.ts';

/** Discord's message limits (discord-api-docs: resources/message, components/reference). */
export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** characters across every embed of one message */
  total: 6000,
  embeds: 10,
  buttonsPerRow: 5,
  actionRows: 5,
  customId: 100,
  buttonLabel: 80,
} as const;

export const EPHEMERAL = 64;
export const COLOURS = { answer: 0x3b82f6, error: 0xed4245 } as const;

export interface DiscordEmbedField { name: string; value: string; inline: boolean }
export interface DiscordEmbed {
  title?: string;
  description?: string;
  color: number;
  fields?: DiscordEmbedField[];
  footer?: { text: string };
  image?: { url: string };
}
export interface DiscordButton { type: 2; style: 1 | 2; label: string; custom_id: string; disabled?: boolean }
export interface DiscordActionRow { type: 1; components: DiscordButton[] }
export interface DiscordMessage { content?: string; embeds: DiscordEmbed[]; components: DiscordActionRow[]; flags?: number }

/** Cut to at most n UTF-16 units (what Discord and discord.js's embedLength count), ending in "…", never mid-surrogate. */
export function clip(s: string, n: number): string {
  if (s.length <= n) return s;
  if (n <= 0) return '';
  let cut = s.slice(0, n - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** Characters Discord counts toward the 6000 limit for one embed. */
export function embedChars(e: DiscordEmbed): number {
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0)
    + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
}

const BLANK = '\u200b';
const nonEmpty = (s: string) => (s.trim() ? s : BLANK);

// ---- the parts of a message, each shrinkable -------------------------------------------------------------------

interface Draft {
  title: string;
  summary: string;
  warnings: string[];
  hiddenWarnings: number;
  table?: { table: Table; shown: number; hidden: string[] };
  fields: DiscordEmbedField[];
  hiddenFields: number;
  sources: Source[];
  hiddenSources: number;
  notes: string[];
  error: boolean;
}

const CELL = 60;
/** About this many monospace characters fit on one line of a Discord embed before the client wraps it. */
export const DISCORD_TABLE_WIDTH = 60;

function cleanCell(s: string): string {
  return clip((s ?? '').replace(/`/g, "'").replace(/\s*\n\s*/g, ' '), CELL);
}

const cleaned = (t: Table, rows = t.rows.length): Table => ({ columns: t.columns.map(cleanCell), rows: t.rows.slice(0, rows).map((r) => r.map(cleanCell)), align: t.align });
const widthOf = (t: Table) => Math.max(0, ...tableText(cleaned(t)).split('\n').map((l) => l.length));
const firstColumns = (t: Table, n: number): Table => ({ columns: t.columns.slice(0, n), rows: t.rows.map((r) => r.slice(0, n)), align: t.align?.slice(0, n) });

/**
 * The table as it can show in a narrow embed: as it is when it fits, else the view's own narrow version, else its
 * first columns (the rest are named under it). The chart and the other renderers carry the full table.
 */
export function discordTable(t: Table): { table: Table; hidden: string[] } {
  if (widthOf(t) <= DISCORD_TABLE_WIDTH) return { table: t, hidden: [] };
  if (t.narrow && widthOf(t.narrow) <= DISCORD_TABLE_WIDTH) return { table: t.narrow, hidden: [] };
  let n = t.columns.length;
  while (n > 1 && widthOf(firstColumns(t, n)) > DISCORD_TABLE_WIDTH) n--;
  return { table: firstColumns(t, n), hidden: t.columns.slice(n).filter((c) => c.trim()) };
}

function tableBlock(d: Draft): string {
  if (!d.table) return '';
  const { table, shown, hidden } = d.table;
  const lines = tableText(cleaned(table, shown)).split('\n').map((l) => clip(l, DISCORD_TABLE_WIDTH));
  const more = table.rows.length - shown;
  if (more > 0) lines.push(`… ${more.toLocaleString('en-US')} more row${more === 1 ? '' : 's'}`);
  const note = hidden.length ? `\n(${hidden.join(', ')}: in the chart, or run it in the playground or CLI for the full table)` : '';
  return `\`\`\`\n${lines.join('\n')}\n\`\`\`${note}`;
}

function warningsBlock(d: Draft): string {
  const lines = d.warnings.map((w) => `⚠️ ${w}`);
  if (d.hiddenWarnings) lines.push(`⚠️ … ${d.hiddenWarnings} more warning${d.hiddenWarnings === 1 ? '' : 's'}`);
  return lines.join('\n');
}

function description(d: Draft): string {
  return [d.summary, warningsBlock(d), tableBlock(d)].filter((s) => s.trim()).join('\n\n');
}

/** Markdown link for a source; a label alone when the URL cannot be linked safely. */
function sourceLink(s: Source): string {
  const label = clip(plain(s.label).replace(/[[\]]/g, (c) => (c === '[' ? '(' : ')')).replace(/\s+/g, ' ').trim() || 'source', 100);
  const url = (s.url ?? '').trim();
  if (!/^https?:\/\/\S+$/i.test(url) || url.length > 512) return label;
  return `[${label}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
}

function sourcesField(d: Draft): DiscordEmbedField | undefined {
  if (!d.sources.length) return undefined;
  const lines: string[] = [];
  let hidden = d.hiddenSources;
  const more = (n: number) => `… and ${n} more (\`/sources\`)`;
  for (let i = 0; i < d.sources.length; i++) {
    const link = sourceLink(d.sources[i]);
    const rest = d.sources.length - i - 1 + hidden;
    const tail = rest > 0 ? more(rest).length + 1 : 0;
    if ([...lines, link].join('\n').length + tail > DISCORD_LIMITS.fieldValue) { hidden += d.sources.length - i; break; }
    lines.push(link);
  }
  if (hidden > 0) lines.push(more(hidden));
  return { name: 'Sources', value: clip(lines.join('\n'), DISCORD_LIMITS.fieldValue), inline: false };
}

function footer(d: Draft): string {
  const lines = d.notes.map((n) => plain(n));
  if (d.hiddenFields) lines.push(`… ${d.hiddenFields} more field${d.hiddenFields === 1 ? '' : 's'} not shown`);
  return clip(lines.join('\n'), DISCORD_LIMITS.footer);
}

function render(d: Draft): DiscordEmbed[] {
  const colour = d.error ? COLOURS.error : COLOURS.answer;
  const all = [...d.fields];
  const src = sourcesField(d);
  if (src) all.push(src);
  const chunks: DiscordEmbedField[][] = [];
  for (let i = 0; i < all.length; i += DISCORD_LIMITS.fields) chunks.push(all.slice(i, i + DISCORD_LIMITS.fields));
  const first: DiscordEmbed = { title: clip(d.title, DISCORD_LIMITS.title), color: colour };
  const desc = description(d);
  if (desc) first.description = clip(desc, DISCORD_LIMITS.description);
  const embeds = [first];
  chunks.forEach((fields, i) => {
    if (i === 0) first.fields = fields;
    else embeds.push({ color: colour, fields });
  });
  const foot = footer(d);
  if (foot) embeds[embeds.length - 1].footer = { text: foot };
  return embeds.slice(0, DISCORD_LIMITS.embeds);
}

const total = (embeds: DiscordEmbed[]) => embeds.reduce((n, e) => n + embedChars(e), 0);

function fits(d: Draft): boolean {
  if (description(d).length > DISCORD_LIMITS.description) return false;
  const fieldCount = d.fields.length + (d.sources.length ? 1 : 0);
  if (fieldCount > DISCORD_LIMITS.fields * DISCORD_LIMITS.embeds) return false;
  return total(render(d)) <= DISCORD_LIMITS.total;
}

// Each step removes one thing and says whether it could; steps run in order until the message fits.
type Step = (d: Draft) => boolean;
const dropRows = (keep: number): Step => (d) => {
  if (!d.table || d.table.shown <= keep) return false;
  d.table.shown--;
  return true;
};
const dropFields = (keep: number): Step => (d) => {
  if (d.fields.length <= keep) return false;
  d.fields.pop();
  d.hiddenFields++;
  return true;
};
const dropSources = (keep: number): Step => (d) => {
  if (d.sources.length <= keep) return false;
  d.sources.pop();
  d.hiddenSources++;
  return true;
};
const dropNotes = (keep: number): Step => (d) => {
  if (d.notes.length <= keep) return false;
  d.notes.pop();
  return true;
};
const dropWarnings = (keep: number): Step => (d) => {
  if (d.warnings.length <= keep) return false;
  d.warnings.pop();
  d.hiddenWarnings++;
  return true;
};
const capSummary = (n: number): Step => (d) => {
  if (d.summary.length <= n) return false;
  d.summary = clip(d.summary, n);
  return true;
};
const capNotes = (n: number): Step => (d) => {
  const before = d.notes.join('');
  d.notes = d.notes.map((x) => clip(x, n));
  return d.notes.join('') !== before;
};
const capFieldValues = (n: number): Step => (d) => {
  let changed = false;
  d.fields = d.fields.map((f) => {
    if (f.value.length <= n) return f;
    changed = true;
    return { ...f, value: clip(f.value, n) };
  });
  return changed;
};
const dropTable: Step = (d) => {
  if (!d.table) return false;
  d.table = undefined;
  return true;
};

const STEPS: Step[] = [
  dropNotes(1), capNotes(300),
  dropSources(3),
  dropRows(10),
  dropFields(5),
  capSummary(1000),
  capFieldValues(300),
  dropWarnings(2),
  dropRows(3), dropFields(2), dropSources(1),
  dropRows(0), dropFields(0), dropSources(0), dropTable,
  dropNotes(1), capNotes(200), dropWarnings(0),
  capSummary(500),
];

function draft(reply: Reply): Draft {
  const warnings = reply.warnings.map((w) => clip(w, 300));
  const keptWarnings = warnings.slice(0, 5);
  const d: Draft = {
    title: nonEmpty(reply.title),
    summary: reply.summary,
    warnings: keptWarnings,
    hiddenWarnings: warnings.length - keptWarnings.length,
    table: reply.table && reply.table.columns.length ? { ...discordTable(reply.table), shown: reply.table.rows.length } : undefined,
    fields: reply.fields.map((f: Field) => ({
      name: nonEmpty(clip(f.name, DISCORD_LIMITS.fieldName)),
      value: nonEmpty(clip(f.value, DISCORD_LIMITS.fieldValue)),
      inline: f.inline ?? false,
    })),
    hiddenFields: 0,
    sources: [...reply.sources],
    hiddenSources: 0,
    notes: [...reply.notes],
    error: reply.kind === 'error',
  };
  // The description holds summary + warnings + table. Give the summary what the warnings and a small table leave,
  // then let the table have as many rows as still fit.
  if (d.table) {
    const rows = d.table.shown;
    d.table.shown = Math.min(rows, 3);
  }
  const reserve = description({ ...d, summary: '' }).length + 2;
  d.summary = clip(d.summary, Math.max(200, Math.min(3000, DISCORD_LIMITS.description - reserve)));
  if (d.table) {
    const all = d.table.table.rows.length;
    // grow one row at a time (cheap: tables are at most a few hundred rows)
    while (d.table.shown < all) {
      d.table.shown++;
      if (description(d).length > DISCORD_LIMITS.description) { d.table.shown--; break; }
    }
  }
  return d;
}

function buttonRows(buttons: Button[]): DiscordActionRow[] {
  const seen = new Set<string>();
  const usable = buttons.filter((b) => {
    // an id Discord would refuse, or that would come back cut (and so unanswerable), is dropped rather than mangled
    if (!b.id || b.id.length > DISCORD_LIMITS.customId || seen.has(b.id)) return false;
    seen.add(b.id);
    return true;
  }).slice(0, DISCORD_LIMITS.buttonsPerRow * DISCORD_LIMITS.actionRows);
  const rows: DiscordActionRow[] = [];
  for (let i = 0; i < usable.length; i += DISCORD_LIMITS.buttonsPerRow) {
    rows.push({
      type: 1,
      components: usable.slice(i, i + DISCORD_LIMITS.buttonsPerRow).map((b): DiscordButton => ({
        type: 2,
        style: b.active ? 1 : 2,
        label: clip(plain(b.label).trim() || b.id, DISCORD_LIMITS.buttonLabel),
        custom_id: b.id,
        ...(b.active ? { disabled: true } : {}),
      })),
    });
  }
  return rows;
}

/** A Reply as a Discord message body (embeds, components, flags). `chartName` points the first embed at an attachment. */
export function toDiscord(reply: Reply, opts: { chartName?: string } = {}): DiscordMessage {
  const d = draft(reply);
  for (const step of STEPS) {
    while (!fits(d)) if (!step(d)) break;
    if (fits(d)) break;
  }
  const embeds = render(d);
  // Last resort, should the steps ever fall short: hard cuts that keep every limit.
  let over = total(embeds) - DISCORD_LIMITS.total;
  if (over > 0) {
    embeds.splice(1);
    delete embeds[0].fields;
    delete embeds[0].footer;
    over = total(embeds) - DISCORD_LIMITS.total;
    if (over > 0 && embeds[0].description) embeds[0].description = clip(embeds[0].description, Math.max(1, embeds[0].description.length - over));
  }
  if (opts.chartName) embeds[0].image = { url: `attachment://${opts.chartName}` };
  const msg: DiscordMessage = { embeds, components: buttonRows(reply.buttons) };
  if (reply.private) msg.flags = EPHEMERAL;
  return msg;
}
