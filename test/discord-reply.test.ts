// src/reply/discord.ts: a Reply as Discord message JSON, within every limit, keeping the essential answer.
import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { COMMANDS } from '../commands/index.ts';
import { runCommand } from '../src/platforms/dispatch.ts';
import { clip, COLOURS, toDiscord } from '../src/reply/discord.ts';
import { answer, errorReply, type Reply } from '../src/reply/reply.ts';
import { embedText, limitViolations } from './helpers/discord-limits.ts';

const ctx = { catalog: catalog() };
const big = (n: number, ch = 'x') => ch.repeat(n);

describe('toDiscord: ordinary replies', () => {
  it('puts the summary in the description, fields as fields, sources as markdown links', () => {
    const r = answer('Title here', 'The **answer** is 42.', {
      fields: [{ name: 'A', value: 'one', inline: true }, { name: 'B', value: 'two' }],
      sources: [{ label: 'Vendor sheet', url: 'https://example.com/sheet' }, { label: 'Paper (v2)', url: 'https://example.org/p_(v2)' }],
      notes: ['A `note` with **markdown**.'],
      warnings: ['Careful.'],
    });
    const m = toDiscord(r);
    expect(limitViolations(m)).toEqual([]);
    const e = m.embeds[0];
    expect(e.title).toBe('Title here');
    expect(e.description).toContain('The **answer** is 42.');
    expect(e.description).toContain('⚠️ Careful.');
    expect(e.color).toBe(COLOURS.answer);
    expect(e.fields?.slice(0, 2)).toEqual([{ name: 'A', value: 'one', inline: true }, { name: 'B', value: 'two', inline: false }]);
    const sources = e.fields?.find((f) => f.name === 'Sources');
    expect(sources?.value).toContain('[Vendor sheet](https://example.com/sheet)');
    // a ")" in the URL would end the markdown link early, so it is escaped
    expect(sources?.value).toContain('(https://example.org/p_%28v2%29)');
    // the footer is plain text: markdown stripped
    expect(e.footer?.text).toBe('A note with markdown.');
    expect(m.flags).toBeUndefined();
    expect(m.components).toEqual([]);
    expect(e.image).toBeUndefined();
  });

  it('puts a table in a monospace code block in the description', () => {
    const r = answer('T', 'S', { table: { columns: ['chip', 'tok/s'], rows: [['groq', '300'], ['etched', '50.5']], align: ['left', 'right'] } });
    const d = toDiscord(r).embeds[0].description!;
    expect(d).toMatch(/```\nchip\s+tok\/s\n[- ]+\ngroq\s+300\netched\s+50\.5\n```/);
  });

  it('keeps backticks in table cells from closing the code block', () => {
    const r = answer('T', 'S', { table: { columns: ['a'], rows: [['```oops```']] } });
    const d = toDiscord(r).embeds[0].description!;
    expect(d.match(/```/g)).toHaveLength(2);
  });

  it('marks private replies ephemeral (flags 64) and errors with their own colour', () => {
    const m = toDiscord(errorReply('I don\'t know a chip called "x".', 'Type /chip to list them.'));
    expect(m.flags).toBe(64);
    expect(m.embeds[0].color).toBe(COLOURS.error);
    expect(m.embeds[0].color).not.toBe(COLOURS.answer);
    expect(embedText(m)).toContain('Type /chip to list them.');
  });

  it('points the first embed at the chart attachment when asked', () => {
    const m = toDiscord(answer('T', 'S'), { chartName: 'chart.png' });
    expect(m.embeds[0].image).toEqual({ url: 'attachment://chart.png' });
  });

  it('turns buttons into an action row, the active one primary and disabled', () => {
    const m = toDiscord(answer('T', 'S', { buttons: [
      { id: 'compare:prefill:a:b:m', label: 'Prefill' },
      { id: 'compare:decode:a:b:m', label: 'Decode', active: true },
    ] }));
    expect(m.components).toEqual([{ type: 1, components: [
      { type: 2, style: 2, label: 'Prefill', custom_id: 'compare:prefill:a:b:m' },
      { type: 2, style: 1, label: 'Decode', custom_id: 'compare:decode:a:b:m', disabled: true },
    ] }]);
  });

  it('renders every real command answer within the limits', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['fit', { model: 'llama-70b', chip: 'cerebras' }], ['compare', { a: 'groq', b: 'etched', phase: 'decode' }],
      ['compare', { a: 'h100', b: 'cerebras' }], ['estimate', { model: 'llama-3.1-405b', chip: 'b200' }],
      ['chip', { name: 'wse-3' }], ['chip', {}], ['model', { name: 'deepseek-v3' }], ['model', {}], ['sources', {}],
      ['fit', { model: 'llama-70b', chip: 'cerebrus' }],
    ];
    for (const [name, options] of cases) {
      const r = await runCommand(name, options, ctx);
      const m = toDiscord(r, { chartName: 'chart.png' });
      expect(limitViolations(m), `/${name} ${JSON.stringify(options)}`).toEqual([]);
      expect(m.embeds[0].title).toBe(clip(r.title, 256));
      expect(m.embeds[0].description).toContain(r.summary.slice(0, 80));
    }
  });

  it('renders every command that needs no options within the limits (new commands included as they appear)', async () => {
    const free = COMMANDS.filter((c) => !c.options.some((o) => o.required) && !(c as { subcommands?: unknown[] }).subcommands?.length);
    expect(free.length).toBeGreaterThan(2);
    for (const c of free) {
      const m = toDiscord(await runCommand(c.name, {}, ctx), { chartName: 'chart.png' });
      expect(limitViolations(m), `/${c.name}`).toEqual([]);
    }
  });
});

describe('toDiscord at the limits', () => {
  it('30 fields: all limits kept, split over embeds rather than dropped while they fit', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `Field ${i + 1}`, value: `value ${i + 1}` }));
    const m = toDiscord(answer('Thirty', 'The answer.', { fields, sources: [{ label: 's', url: 'https://example.com' }] }));
    expect(limitViolations(m)).toEqual([]);
    const text = embedText(m);
    for (let i = 1; i <= 30; i++) expect(text).toContain(`Field ${i}\n`);
    expect(text).toContain('The answer.');
    expect(m.embeds.length).toBe(2);
  });

  it('30 fields of maximum size: trimmed to 6000 characters, the first fields and the answer kept', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `F${i + 1} ${big(300, 'n')}`, value: big(2000, 'v') }));
    const m = toDiscord(answer('Huge', 'Fits on **4 wafers**.', { fields }));
    expect(limitViolations(m)).toEqual([]);
    expect(m.embeds[0].description).toContain('Fits on **4 wafers**.');
    expect(m.embeds[0].fields?.[0].name.startsWith('F1 ')).toBe(true);
    expect(embedText(m)).toMatch(/more fields? not shown/);
  });

  it('a 10,000-character summary is cut, starting with the answer and ending in an ellipsis', () => {
    const summary = `Fits on 4 wafers. ${big(10_000, 'y')}`;
    const m = toDiscord(answer('Long', summary));
    expect(limitViolations(m)).toEqual([]);
    const d = m.embeds[0].description!;
    expect(d.startsWith('Fits on 4 wafers.')).toBe(true);
    expect(d.endsWith('…')).toBe(true);
    expect(d.length).toBeLessThanOrEqual(4096);
  });

  it('a 200-row table is trimmed with "… N more rows", the header and first rows kept, the code block closed', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [`row-${String(i + 1).padStart(3, '0')}`, `${i * 10} tok/s`, 'memory bandwidth']);
    const m = toDiscord(answer('Table', 'The summary.', { table: { columns: ['id', 'speed', 'bound by'], rows } }));
    expect(limitViolations(m)).toEqual([]);
    const d = m.embeds[0].description!;
    expect(d).toContain('The summary.');
    expect(d).toContain('row-001');
    expect(d).not.toContain('row-200');
    const shown = (d.match(/row-\d{3}/g) ?? []).length;
    expect(shown).toBeGreaterThan(10);
    expect(d).toContain(`… ${200 - shown} more rows`);
    expect(d.trimEnd().endsWith('```')).toBe(true);
    expect(d.match(/```/g)).toHaveLength(2);
  });

  it('a 200-row table, a long summary, many fields and sources together still obey every limit', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [`r${i}`, big(100, 'c')]);
    const r = answer(big(400, 'T'), `Answer first. ${big(5000, 's')}`, {
      table: { columns: ['a', 'b'], rows },
      fields: Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, value: big(900, 'v') })),
      sources: Array.from({ length: 30 }, (_, i) => ({ label: `source ${i} ${big(500, 'L')}`, url: `https://example.com/${i}/${big(200, 'u')}` })),
      notes: Array.from({ length: 20 }, () => big(500, 'n')),
      warnings: Array.from({ length: 12 }, () => big(600, 'w')),
      buttons: Array.from({ length: 30 }, (_, i) => ({ id: `b:${i}`, label: `B${i}` })),
    });
    const m = toDiscord(r);
    expect(limitViolations(m)).toEqual([]);
    expect(m.embeds[0].title!.length).toBe(256);
    expect(m.embeds[0].description!.startsWith('Answer first.')).toBe(true);
  });

  it('7 buttons: two rows (5 + 2), every id intact', () => {
    const buttons = Array.from({ length: 7 }, (_, i) => ({ id: `compare:view${i}:a:b:m`, label: `View ${i}`, active: i === 3 }));
    const m = toDiscord(answer('T', 'S', { buttons }));
    expect(limitViolations(m)).toEqual([]);
    expect(m.components.map((r) => r.components.length)).toEqual([5, 2]);
    expect(m.components.flatMap((r) => r.components.map((b) => b.custom_id))).toEqual(buttons.map((b) => b.id));
    expect(m.components[0].components[3]).toMatchObject({ style: 1, disabled: true });
  });

  it('a custom_id over 100 characters is left out rather than cut (a cut id could never be answered); labels are clipped', () => {
    const m = toDiscord(answer('T', 'S', { buttons: [
      { id: `x:${big(120)}`, label: 'Too long an id' },
      { id: 'ok:1', label: big(200, 'L') },
    ] }));
    expect(limitViolations(m)).toEqual([]);
    expect(m.components).toHaveLength(1);
    expect(m.components[0].components.map((b) => b.custom_id)).toEqual(['ok:1']);
    expect(m.components[0].components[0].label.length).toBe(80);
  });

  it('very long source labels and URLs: clipped labels, the Sources field within 1024 with a "more" line', () => {
    const sources: Reply['sources'] = Array.from({ length: 12 }, (_, i) => ({ label: `Source ${i} ${big(900, 'l')} [draft]`, url: `https://example.com/${i}?q=${big(150, 'q')}` }));
    const m = toDiscord(answer('T', 'The answer.', { sources }));
    expect(limitViolations(m)).toEqual([]);
    const f = m.embeds[0].fields!.find((x) => x.name === 'Sources')!;
    expect(f.value.length).toBeLessThanOrEqual(1024);
    expect(f.value).toContain('[Source 0 ');
    expect(f.value).toMatch(/… and \d+ more/);
    for (const link of f.value.split('\n').filter((l) => l.startsWith('['))) {
      expect(link).toMatch(/^\[[^[\]]{1,100}\]\(https:\/\/example\.com\/\d+\?q=q+\)$/);
    }
  });

  it('a non-http URL is shown as its label, never as a link', () => {
    const m = toDiscord(answer('T', 'S', { sources: [{ label: 'local file', url: 'javascript:alert(1)' }] }));
    expect(m.embeds[0].fields![0].value).toBe('local file');
  });

  it('empty names and values become a zero-width space (Discord refuses empty ones)', () => {
    const m = toDiscord(answer('T', 'S', { fields: [{ name: '', value: '' }] }));
    expect(limitViolations(m)).toEqual([]);
  });

  it('clip never splits a surrogate pair and never exceeds n', () => {
    const s = '😀'.repeat(10);
    for (let n = 1; n < 21; n++) {
      const c = clip(s, n);
      expect(c.length).toBeLessThanOrEqual(n);
      expect(() => encodeURIComponent(c)).not.toThrow();
    }
  });
});
