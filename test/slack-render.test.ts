// The Block Kit renderer: idiom (mrkdwn, code-block tables, buttons, context) and every limit, at and past the edges.
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.ts';
import { catalog } from '../src/catalog/load.ts';
import { runCommand } from '../src/platforms/dispatch.ts';
import { answer, errorReply, type Reply } from '../src/reply/reply.ts';
import { clip, mrkdwn, splitText, toSlack } from '../src/reply/slack.ts';
import { slackLimitViolations } from './helpers/slack-limits.ts';

const ctx = () => ({ catalog: catalog() });
const all = (r: Reply) => toSlack(r);
const json = (x: unknown) => JSON.stringify(x);
const expectValid = (r: Reply) => {
  const msgs = all(r);
  expect(msgs.length).toBeGreaterThan(0);
  for (const m of msgs) expect(slackLimitViolations(m)).toEqual([]);
  return msgs;
};

describe('the limits checker itself', () => {
  it('catches violations, so the tests below can fail', () => {
    const bad = {
      text: 'x',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'section', text: { type: 'mrkdwn', text: 'a **bold** word' } },
        { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
        { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'a'.repeat(256) }] },
        ...Array.from({ length: 50 }, () => ({ type: 'divider' })),
      ],
    };
    const v = slackLimitViolations(bad).join('\n');
    for (const s of ['151 chars > 150', '**bold**', '11 fields', '11 elements', '76 chars > 75', 'action_id 256', 'blocks > 50']) expect(v).toContain(s);
  });
});

describe('mrkdwn', () => {
  it('converts markdown bold, italics and links, and escapes control characters', () => {
    expect(mrkdwn('**Groq** is *fast* & <safe>')).toBe('*Groq* is _fast_ &amp; &lt;safe&gt;');
    expect(mrkdwn('see [the paper](https://a.example/x?a=1&b=2)')).toBe('see <https://a.example/x?a=1&amp;b=2|the paper>');
    expect(mrkdwn('`a**b**` stays code; 2*3*4 stays arithmetic')).toBe('`a**b**` stays code; 2*3*4 stays arithmetic');
  });

  it('never cuts a link or an entity in half', () => {
    const s = `${'x'.repeat(95)} <https://example.com/long|label> &amp; end`;
    for (let max = 90; max < s.length; max++) {
      const c = clip(s, max);
      expect(c.length).toBeLessThanOrEqual(max);
      expect(c.lastIndexOf('<')).toBeLessThanOrEqual(c.lastIndexOf('>'));
      expect(c).not.toMatch(/&[a-z]{0,3}…$/);
    }
    for (const part of splitText(`${'word '.repeat(1000)}<https://e.com|x>`, 300)) expect(part.length).toBeLessThanOrEqual(300);
  });
});

describe('toSlack on real answers', () => {
  it('/fit: header, bold number in mrkdwn, fields as text, notes and sources in context', async () => {
    const r = await runCommand('fit', { model: 'llama-70b', chip: 'cerebras' }, ctx());
    const [msg, ...more] = expectValid(r);
    expect(more).toEqual([]);
    const b = msg.blocks as any[];
    expect(b[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Llama 3.1 70B on Cerebras WSE-3 (CS-3)', emoji: true } });
    expect(b[1].text.text).toMatch(/^Fits on \*4 wafers\* at BF16/);
    expect(json(b)).toContain('*Why that many*');
    const contexts = b.filter((x) => x.type === 'context');
    expect(contexts.at(-1).elements[0].text).toMatch(/^\*Sources:\* <https:\/\/[^|>]+\|Cerebras WSE-3/);
    expect(msg.text).toContain('Fits on 4 wafers');
    expect(msg.text).not.toContain('**');
  });

  it('/compare: the table as a code block, three buttons with the active one primary', async () => {
    const r = await runCommand('compare', { a: 'groq', b: 'etched', phase: 'decode' }, ctx());
    const [msg] = expectValid(r);
    const b = msg.blocks as any[];
    const table = b.find((x) => x.type === 'section' && x.text?.text.startsWith('```'));
    expect(table.text.text).toMatch(/^```\n.*Groq LPU v1.*Etched Sohu[\s\S]*Per user \(batch 1\)[\s\S]*\n```$/);
    const actions = b.filter((x) => x.type === 'actions');
    expect(actions).toHaveLength(1);
    expect(actions[0].elements.map((e: any) => [e.text.text, e.style ?? null])).toEqual([['Prefill', null], ['Decode', 'primary'], ['Both', null]]);
    expect(actions[0].elements[0].action_id).toBe('compare:prefill:groq-lpu-v1:etched-sohu:llama-3.1-70b');
  });

  it('every current command renders within the limits', async () => {
    for (const cmd of COMMANDS) {
      const r = await runCommand(cmd.name, {}, ctx()); // missing options give a polite error, also rendered
      expectValid(r);
    }
    expectValid(await runCommand('chip', {}, ctx()));
    expectValid(await runCommand('model', {}, ctx()));
    expectValid(await runCommand('sources', {}, ctx()));
  });

  it('an error reply leads with :x: and keeps its hint', () => {
    const [msg] = expectValid(errorReply('I don\'t know a model called "x". Did you mean `llama-3.1-70b`?', 'Type `/model`.'));
    expect(json(msg.blocks)).toContain(':x: I don');
    expect(json(msg.blocks)).toContain('Type `/model`.');
  });
});

describe('toSlack at and past the limits', () => {
  const big = (extra: Partial<Reply>) => answer('A title', 'A summary', extra);

  it('30 short inline fields → three sections of 10 fields', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `Field ${i}`, value: `value ${i}`, inline: true }));
    const msgs = expectValid(big({ fields }));
    const sections = msgs.flatMap((m) => m.blocks as any[]).filter((b) => b.fields);
    expect(sections.map((s) => s.fields.length)).toEqual([10, 10, 10]);
    expect(sections[2].fields[9].text).toBe('*Field 29*\nvalue 29');
  });

  it('30 inline fields of 2000+ characters → each clipped to 2000, none dropped, messages within budget', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `Field ${i}`, value: `value ${i} `.repeat(300), inline: true }));
    const msgs = expectValid(big({ fields }));
    const sections = msgs.flatMap((m) => m.blocks as any[]).filter((b) => b.fields);
    for (const s of sections) {
      expect(s.fields.length).toBeLessThanOrEqual(10);
      for (const f of s.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
    expect(sections.flatMap((s) => s.fields)).toHaveLength(30);
    expect(json(msgs)).toContain('*Field 29*');
  });

  it('30 long block fields → packed text sections ≤3000, all present', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `Field ${i}`, value: `v${i} `.repeat(500) }));
    const msgs = expectValid(big({ fields }));
    for (let i = 0; i < 30; i++) expect(json(msgs)).toContain(`*Field ${i}*`);
  });

  it('a 10,000-character summary is split into sections, not lost', () => {
    const summary = Array.from({ length: 1500 }, (_, i) => `w${String(i).padStart(4, '0')}.`).join(' ').slice(0, 10_000);
    expect(summary.length).toBeGreaterThanOrEqual(9_000);
    const msgs = expectValid(big({ summary: `**Start** ${summary}` }));
    const text = msgs.flatMap((m) => m.blocks as any[]).filter((b) => b.type === 'section').map((b) => b.text.text).join(' ');
    expect(text).toContain('*Start*');
    expect(text).toContain('w1249.');
    expect(msgs[0].text.length).toBeLessThanOrEqual(300);
  });

  it('a 200-row table is trimmed to fit 3000 characters with "… N more rows"', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [`row ${i}`, `${i * 3} tok/s (1–2) · memory bandwidth`, `${i} chips`]);
    const msgs = expectValid(big({ table: { columns: ['', 'Chip A', 'Chip B'], rows } }));
    const t = (msgs[0].blocks as any[]).find((b) => b.text?.text.startsWith('```')).text.text as string;
    expect(t.length).toBeLessThanOrEqual(3000);
    const shown = t.split('\n').filter((l) => l.startsWith('row ')).length;
    expect(shown).toBeGreaterThan(10);
    expect(t).toContain(`… ${200 - shown} more rows\n\`\`\``);
    expect(t).toContain('row 0 ');
  });

  it('7 buttons, long labels and ids: one actions block, labels ≤75, ids ≤255, full id kept in the value', () => {
    const long = `compare:decode:${'x'.repeat(300)}`;
    const buttons = [
      ...Array.from({ length: 5 }, (_, i) => ({ id: `compare:p${i}:a:b:m`, label: `Phase ${i}`, active: i === 2 })),
      { id: long, label: 'L'.repeat(100) },
      { id: `${long}-2`, label: 'same prefix' },
    ];
    const msgs = expectValid(big({ buttons }));
    const actions = (msgs[0].blocks as any[]).filter((b) => b.type === 'actions');
    expect(actions).toHaveLength(1);
    const els = actions[0].elements;
    expect(els).toHaveLength(7);
    expect(els.filter((e: any) => e.style === 'primary').map((e: any) => e.action_id)).toEqual(['compare:p2:a:b:m']);
    expect(els[5].text.text.length).toBeLessThanOrEqual(75);
    expect(els[5].value).toBe(long);
    expect(new Set(els.map((e: any) => e.action_id)).size).toBe(7);
  });

  it('60 notes → context blocks of ≤10 elements; 40 buttons → two actions blocks', () => {
    const notes = Array.from({ length: 60 }, (_, i) => `Note ${i}: ${'detail '.repeat(150)}`);
    const buttons = Array.from({ length: 40 }, (_, i) => ({ id: `compare:x${i}:a:b:m`, label: `B${i}` }));
    const msgs = expectValid(big({ notes, buttons }));
    const blocks = msgs.flatMap((m) => m.blocks as any[]);
    expect(blocks.filter((b) => b.type === 'actions').map((b) => b.elements.length)).toEqual([25, 15]);
    for (let i = 0; i < 60; i++) expect(json(blocks)).toContain(`Note ${i}:`);
    expect(msgs.length).toBeGreaterThan(1); // 60k characters of notes cannot be one message
    expect(msgs[1].text).toContain('(continued 2/');
  });

  it('more than 50 blocks split into several messages, each within every limit', () => {
    const fields = Array.from({ length: 120 }, (_, i) => ({ name: `F${i}`, value: 'x', inline: true }));
    const warnings = Array.from({ length: 10 }, (_, i) => `**Careful** ${i}`);
    const notes = Array.from({ length: 60 }, (_, i) => `n${i}`);
    const sources = Array.from({ length: 200 }, (_, i) => ({ label: `Source ${i} | with a pipe`, url: `https://example.com/${i}?a=1&b=2` }));
    const title = 'T'.repeat(400);
    const msgs = expectValid(answer(title, 'S'.repeat(4000), { fields, warnings, notes, sources, table: { columns: ['a'], rows: [['1']] } }));
    const blocks = msgs.flatMap((m) => m.blocks as any[]);
    expect(blocks[0].text.text.length).toBeLessThanOrEqual(150);
    expect(json(blocks)).toContain(':warning: *Careful* 0');
    expect(json(blocks)).toContain('<https://example.com/199?a=1&amp;b=2|Source 199 / with a pipe>');
  });

  it('a single field over 2000 characters and a 5000-character warning are clipped or split, never rejected', () => {
    const msgs = expectValid(big({ fields: [{ name: 'Huge', value: 'y'.repeat(5000), inline: true }], warnings: ['w'.repeat(5000)] }));
    expect(msgs.length).toBe(1);
  });
});
