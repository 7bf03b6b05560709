// Plain-text rendering of a Reply, for the CLI and the playground's fallback.
import type { Reply, Table } from './reply.ts';

/** Markdown as plain text: **bold** and `code` lose their marks, a [label](url) link becomes "label <url>". */
export function plain(markdown: string): string {
  return markdown.replace(/\[([^\]\n]+)\]\((https?:[^)\s]+)\)/g, '$1 <$2>').replace(/\*\*(.+?)\*\*/g, '$1').replace(/`([^`]+)`/g, '$1');
}

export function tableText(t: Table): string {
  const widths = t.columns.map((c, i) => Math.max(c.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const cell = (s: string, i: number) => ((t.align?.[i] ?? 'left') === 'right' ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (cells: string[]) => cells.map((c, i) => cell(c ?? '', i)).join('  ').trimEnd();
  return [line(t.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

export function renderText(r: Reply): string {
  const out: string[] = [];
  out.push(r.title, '='.repeat(Math.min(r.title.length, 80)), plain(r.summary), '');
  for (const f of r.fields) {
    const lines = plain(f.value).split('\n');
    out.push(`${f.name}: ${lines[0]}`, ...lines.slice(1).map((l) => `  ${l}`));
  }
  if (r.fields.length) out.push('');
  if (r.table) out.push(tableText(r.table), '');
  for (const w of r.warnings) out.push(`! ${plain(w)}`);
  for (const n of r.notes) out.push(`- ${plain(n)}`);
  if (r.sources.length) {
    out.push('', 'Sources:');
    for (const s of r.sources) out.push(`  ${s.label} <${s.url}>`);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
