// Slack Block Kit rendering of a Reply. Every Slack limit is enforced here by truncating or splitting, never by failing:
// a Reply of any size becomes one or more messages Slack accepts.
import type { Button, Field, Reply, Table } from './reply.ts';
import { plain, tableText } from './text.ts';

/** Documented Block Kit limits, plus a cumulative text budget per message (see below). */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  /** a text object inside a context block */
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  fallbackText: 40_000,
  /**
   * Slack rejects a message with `msg_blocks_too_long` once the text of all its blocks adds up to roughly 12-13k
   * characters, even when every block is under its own limit (slackapi/bolt-js#2509, #2867). Stay well below.
   */
  messageText: 10_000,
  /** text one fields/context/actions block may carry, so a single block never fills a message on its own */
  blockText: 5_000,
} as const;

/** what the renderer keeps as the notification/fallback text of a message */
const FALLBACK_CHARS = 300;

export interface TextObject { type: 'plain_text' | 'mrkdwn'; text: string; emoji?: boolean }
export interface SlackButton { type: 'button'; text: TextObject; action_id: string; value?: string; style?: 'primary' | 'danger' }
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'actions'; elements: SlackButton[] }
  | { type: 'divider' };

export interface SlackMessage { text: string; blocks: SlackBlock[] }

// ---------------------------------------------------------------------------------------------------------------------
// Text: escaping, markdown → mrkdwn, clipping and splitting that never cut through a link or an entity.

/** Slack's three control characters. */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|label>`; the label may not contain `|` or `>`, the url may not contain `|`, `<`, `>` or spaces. */
export function link(url: string, label: string): string {
  const u = url.trim().replace(/[|<> ]/g, (c) => encodeURIComponent(c)).replace(/&/g, '&amp;');
  const l = escapeText(label.replace(/\|/g, '/').replace(/\s+/g, ' ').trim());
  return l ? `<${u}|${l}>` : `<${u}>`;
}

const BOLD = '\u0001', ITALIC = '\u0002';

function inlineMrkdwn(s: string): string {
  return escapeText(s)
    .replace(/\*\*(?=\S)([\s\S]+?)\*\*/g, (_, x: string) => `${BOLD}${x}${BOLD}`)
    .replace(/__(?=\S)([\s\S]+?)__/g, (_, x: string) => `${BOLD}${x}${BOLD}`)
    .replace(/(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/g, (_, x: string) => `${ITALIC}${x}${ITALIC}`)
    .replace(/~~(?=\S)([\s\S]+?)~~/g, '~$1~')
    .replace(/^#{1,6}\s+(.+)$/gm, (_, x: string) => `${BOLD}${x}${BOLD}`)
    .replace(new RegExp(BOLD, 'g'), '*')
    .replace(new RegExp(ITALIC, 'g'), '_');
}

/**
 * The Reply's markdown (`**bold**`, `*italic*`, `` `code` ``, `[label](url)`) as Slack mrkdwn (`*bold*`, `_italic_`,
 * `` `code` ``, `<url|label>`), with `&`, `<`, `>` escaped. Code spans are left alone apart from escaping.
 */
export function mrkdwn(markdown: string): string {
  const out: string[] = [];
  const re = /(`[^`\n]+`)|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g;
  let last = 0;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    out.push(inlineMrkdwn(markdown.slice(last, m.index)));
    out.push(m[1] ? escapeText(m[1]) : link(m[3], plain(m[2])));
    last = m.index + m[0].length;
  }
  out.push(inlineMrkdwn(markdown.slice(last)));
  return out.join('');
}

/** Where a cut at `at` would leave `s.slice(0, at)` without half a link, half an entity or half a surrogate pair. */
function safeCut(s: string, at: number): number {
  let cut = Math.max(0, Math.min(at, s.length));
  const head = s.slice(0, cut);
  const open = head.lastIndexOf('<');
  if (open > head.lastIndexOf('>')) cut = open;
  const amp = s.slice(0, cut).match(/&[a-z]{0,4}$/);
  if (amp) cut -= amp[0].length;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  // a cut that would swallow everything (a single enormous link) falls back to a plain cut
  return cut > 0 ? cut : Math.max(1, Math.min(at, s.length));
}

/** At most `max` characters, ending in "…" when shortened. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return s.slice(0, safeCut(s, max - 1)).trimEnd() + '…';
}

/** Split text into pieces of at most `max` characters, at a line break, else a space, else anywhere safe. */
export function splitText(s: string, max: number): string[] {
  const parts: string[] = [];
  let rest = s;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let at = window.lastIndexOf('\n');
    if (at < max / 2) at = window.lastIndexOf(' ');
    if (at < max / 2) at = max;
    at = safeCut(rest, Math.min(at, max));
    const piece = rest.slice(0, at).trimEnd();
    if (piece) parts.push(piece);
    rest = rest.slice(at).replace(/^[ \n]+/, '');
  }
  if (rest.trim()) parts.push(rest);
  return parts;
}

/** Join items into as few strings as fit `max` each (an item longer than `max` is split on its own). */
function pack(items: string[], max: number, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const item of items.flatMap((i) => splitText(i, max))) {
    if (cur && cur.length + sep.length + item.length <= max) cur += sep + item;
    else {
      if (cur) out.push(cur);
      cur = item;
    }
  }
  if (cur) out.push(cur);
  return out;
}

const md = (text: string): TextObject => ({ type: 'mrkdwn', text });

/** Consecutive groups of at most `count` items and (unless a single item is larger) `chars` characters. */
function groups<T>(items: T[], count: number, chars: number, size: (t: T) => number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let used = 0;
  for (const it of items) {
    const n = size(it);
    if (cur.length && (cur.length >= count || used + n > chars)) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(it);
    used += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Blocks for each part of a Reply.

function headerBlock(title: string): SlackBlock {
  const text = clip(plain(title).replace(/\s+/g, ' ').trim() || 'memwall', SLACK_LIMITS.headerText);
  return { type: 'header', text: { type: 'plain_text', text, emoji: true } };
}

function textSections(text: string): SlackBlock[] {
  return splitText(text, SLACK_LIMITS.sectionText).map((t) => ({ type: 'section', text: md(t) }));
}

function fieldText(f: Field): string {
  const name = mrkdwn(f.name.trim());
  const value = mrkdwn(f.value.trim());
  return name ? `*${name}*\n${value}` : value;
}

/** Inline fields become two-column section fields (≤10 a section); the rest are packed as text sections. */
function fieldBlocks(fields: Field[]): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  let i = 0;
  while (i < fields.length) {
    const inline = fields[i].inline === true;
    const run: Field[] = [];
    while (i < fields.length && (fields[i].inline === true) === inline) run.push(fields[i++]);
    if (inline) {
      const texts = run.map((f) => clip(fieldText(f), SLACK_LIMITS.fieldText)).filter((t) => t.trim());
      for (const g of groups(texts, SLACK_LIMITS.sectionFields, SLACK_LIMITS.blockText, (t) => t.length)) {
        blocks.push({ type: 'section', fields: g.map(md) });
      }
    } else {
      const texts = run.map(fieldText).filter((t) => t.trim());
      for (const t of pack(texts, SLACK_LIMITS.sectionText, '\n\n')) blocks.push({ type: 'section', text: md(t) });
    }
  }
  return blocks;
}

/** The table as a code block in one section, trimmed to the rows that fit with "… N more rows". */
export function tableBlock(t: Table): SlackBlock {
  const fence = '```';
  const budget = SLACK_LIMITS.sectionText - 2 * (fence.length + 1);
  // a header, its rule and at least one row always fit, however wide the table
  const lineMax = Math.floor((budget - 40) / 3);
  const lines = tableText(t).split('\n').map((l) => clip(escapeText(l.replace(/```/g, "'''")), lineMax));
  const head = lines.slice(0, 2);
  const rows = lines.slice(2);
  const kept: string[] = [];
  let used = head.join('\n').length;
  for (let i = 0; i < rows.length; i++) {
    const more = rows.length - i - 1;
    const tail = more > 0 ? `\n… ${more.toLocaleString('en-US')} more rows`.length : 0;
    if (used + 1 + rows[i].length + tail > budget) break;
    kept.push(rows[i]);
    used += 1 + rows[i].length;
  }
  const dropped = rows.length - kept.length;
  const body = [...head, ...kept];
  if (dropped > 0) body.push(`… ${dropped.toLocaleString('en-US')} more ${dropped === 1 ? 'row' : 'rows'}`);
  return { type: 'section', text: md(`${fence}\n${body.join('\n')}\n${fence}`) };
}

function contextBlocks(texts: string[], sep: string): SlackBlock[] {
  const elements = pack(texts, SLACK_LIMITS.contextText, sep).map(md);
  return groups(elements, SLACK_LIMITS.contextElements, SLACK_LIMITS.blockText, (e) => e.text.length)
    .map((g): SlackBlock => ({ type: 'context', elements: g }));
}

function actionBlocks(buttons: Button[]): SlackBlock[] {
  const seen = new Set<string>();
  const elements: SlackButton[] = buttons.map((b) => {
    let id = b.id.slice(0, SLACK_LIMITS.actionId);
    for (let n = 2; seen.has(id); n++) id = `${b.id.slice(0, SLACK_LIMITS.actionId - String(n).length - 1)}#${n}`;
    seen.add(id);
    const label = clip(plain(b.label).trim() || b.id, SLACK_LIMITS.buttonText);
    const el: SlackButton = { type: 'button', text: { type: 'plain_text', text: label, emoji: true }, action_id: id };
    // the full id rides in the value, so a press still works when the action_id had to be shortened
    if (b.id.length <= SLACK_LIMITS.buttonValue) el.value = b.id;
    if (b.active) el.style = 'primary';
    return el;
  });
  const size = (e: SlackButton) => e.text.text.length + e.action_id.length + (e.value?.length ?? 0);
  return groups(elements, SLACK_LIMITS.actionsElements, SLACK_LIMITS.blockText, size)
    .map((g): SlackBlock => ({ type: 'actions', elements: g }));
}

/** Characters of text a block carries, as Slack counts them towards `msg_blocks_too_long`. */
export function blockTextLength(b: SlackBlock): number {
  switch (b.type) {
    case 'header': return b.text.text.length;
    case 'section': return (b.text?.text.length ?? 0) + (b.fields ?? []).reduce((n, f) => n + f.text.length, 0);
    case 'context': return b.elements.reduce((n, e) => n + e.text.length, 0);
    case 'actions': return b.elements.reduce((n, e) => n + e.text.text.length + e.action_id.length + (e.value?.length ?? 0), 0);
    default: return 0;
  }
}

/** Every block of a Reply, in reading order, before splitting into messages. */
export function replyBlocks(reply: Reply): SlackBlock[] {
  const blocks: SlackBlock[] = [headerBlock(reply.title)];
  const summary = mrkdwn(reply.summary.trim());
  if (summary) blocks.push(...textSections(reply.kind === 'error' ? `:x: ${summary}` : summary));
  const warnings = reply.warnings.map((w) => mrkdwn(w.trim())).filter(Boolean).map((w) => `:warning: ${w}`);
  for (const t of pack(warnings, SLACK_LIMITS.sectionText, '\n')) blocks.push({ type: 'section', text: md(t) });
  blocks.push(...fieldBlocks(reply.fields));
  if (reply.table && (reply.table.rows.length || reply.table.columns.length)) blocks.push(tableBlock(reply.table));
  blocks.push(...actionBlocks(reply.buttons));
  const notes = reply.notes.map((n) => mrkdwn(n.trim())).filter(Boolean);
  blocks.push(...contextBlocks(notes, '\n'));
  if (reply.sources.length) {
    const links = reply.sources.map((s) => link(s.url, s.label || s.url));
    links[0] = `*Sources:* ${links[0]}`;
    blocks.push(...contextBlocks(links, ' · '));
  }
  return blocks;
}

/** The short notification text: title and the start of the answer, in plain words. */
function fallback(reply: Reply): string {
  const title = plain(reply.title).replace(/\s+/g, ' ').trim();
  const summary = plain(reply.summary).replace(/\s+/g, ' ').trim();
  return clip(escapeText(summary ? `${title}: ${summary}` : title || 'memwall'), FALLBACK_CHARS);
}

/**
 * A Reply as Slack messages: usually one; more when it is over 50 blocks or over the per-message text budget.
 * Later messages carry "(continued i/n)" in their fallback text.
 */
export function toSlack(reply: Reply): SlackMessage[] {
  const messages = groups(replyBlocks(reply), SLACK_LIMITS.blocksPerMessage, SLACK_LIMITS.messageText, blockTextLength);
  const text = fallback(reply);
  const title = clip(escapeText(plain(reply.title).replace(/\s+/g, ' ').trim() || 'memwall'), FALLBACK_CHARS - 20);
  return messages.map((blocks, i) => ({ text: i === 0 ? text : `${title} (continued ${i + 1}/${messages.length})`, blocks }));
}
