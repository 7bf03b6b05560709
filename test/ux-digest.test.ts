// Digest content as a channel receives it (issue 10): whole sentences on every platform, links per platform, the
// vendors by name on the flexibility-for-speed line, no body repeated across consecutive digests, one chart mark per chip.
import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { chartSvg } from '../src/charts/render.ts';
import { buildDigest } from '../src/digest/content.ts';
import { runCommand } from '../src/platforms/dispatch.ts';
import { toDiscord } from '../src/reply/discord.ts';
import { toSlack } from '../src/reply/slack.ts';
import { renderText } from '../src/reply/text.ts';
import { explainers } from '../src/views/explain.ts';

const cat = catalog();
const model = cat.modelById.get('llama-3.1-70b')!;
const at = (i: number) => new Date(Date.UTC(2026, 10, 2 + 7 * i, 9));
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('the digest explainer', () => {
  it('is split at sentence ends, never cut mid-sentence, and the whole body is there (every topic)', () => {
    explainers().forEach((topic, i) => {
      const d = buildDigest(cat, { model, postCount: i, lastSnapshot: null, now: at(i) });
      const parts = d.reply.fields.filter((f) => f.name.startsWith('Explained:'));
      expect(parts.length, topic.id).toBeGreaterThan(0);
      const bodies = parts.map((f) => f.value.replace(/\s*More: `\/explain [\w-]+`$/, '').trim()).filter(Boolean);
      for (const b of bodies) {
        expect(b.length, topic.id).toBeLessThanOrEqual(1024);
        expect(b, topic.id).toMatch(/[.!?)]$/);
      }
      expect(squash(bodies.join(' ')), topic.id).toBe(squash(topic.body));
      // and as Discord sends it: no field cut with an ellipsis
      for (const e of toDiscord(d.reply).embeds) for (const f of e.fields ?? []) if (f.name.startsWith('Explained')) expect(f.value.endsWith('…')).toBe(false);
    });
  });
});

describe('links per platform', () => {
  const digest = () => {
    const first = buildDigest(cat, { model, postCount: 0, lastSnapshot: null, now: at(0) });
    const revised = { ...cat, chips: structuredClone(cat.chips) };
    revised.chips.find((c) => c.id === 'b200')!.powerW!.value = 1200;
    return buildDigest(revised, { model, postCount: 1, lastSnapshot: first.snapshot, now: at(1) }).reply;
  };
  it('Slack gets <url|label>, text (CLI) gets "label <url>", never raw markdown links', () => {
    const r = digest();
    expect(JSON.stringify(r.fields)).toMatch(/\]\(https:/); // the neutral reply carries markdown links
    const slack = JSON.stringify(toSlack(r));
    expect(slack).not.toMatch(/\]\(https?:/);
    expect(slack).toMatch(/<https:[^|>]+\|source>/);
    const text = renderText(r);
    expect(text).not.toMatch(/\]\(https?:/);
    expect(text).toMatch(/source <https:/);
  });
});

describe('what the digest says', () => {
  it('names the vendors of the article as words, and each chip\'s place on the flexibility-for-speed line', () => {
    const d = buildDigest(cat, { model, postCount: 0, lastSnapshot: null, now: at(0) });
    const discord = JSON.stringify(toDiscord(d.reply).embeds);
    for (const v of ['NVIDIA', 'Cerebras', 'Groq', 'd-Matrix', 'Etched', 'Taalas']) expect(discord).toMatch(new RegExp(`\\b${v}\\b`));
    expect(d.reply.table!.columns).toEqual(expect.arrayContaining(['vendor', 'on the line']));
    const values = (d.reply.chart!.spec as { data: { values: { vendor?: string; group?: string }[] } }).data.values;
    expect(values.every((v) => v.vendor && v.group)).toBe(true);
  });

  it('consecutive digests in a channel do not repeat: summary and every field differ; model, focus and explainer turn', () => {
    let snap: string | null = null;
    const bodies: { summary: string; fields: string[] }[] = [];
    for (let i = 0; i < 4; i++) {
      const d = buildDigest(cat, { model, postCount: i, lastSnapshot: snap, now: at(i) });
      snap = d.snapshot;
      bodies.push({ summary: d.reply.summary, fields: d.reply.fields.map((f) => `${f.name}\n${f.value}`) });
    }
    for (let i = 1; i < bodies.length; i++) {
      expect(bodies[i].summary).not.toBe(bodies[i - 1].summary);
      for (const f of bodies[i].fields) expect(bodies[i - 1].fields).not.toContain(f);
    }
    const also = bodies.map((b) => b.fields.find((f) => f.startsWith('Also:'))!.split('\n')[0]);
    expect(new Set(also).size).toBe(also.length);
  });
});

describe('the landscape chart', () => {
  it('has one mark per chip at its own value, and one label per chip', async () => {
    const reply = await runCommand('landscape', { model: 'qwen3-235b' }, { catalog: cat });
    const rows = reply.data as { chip: string; tokensPerSecondPerUser: { expected: number } | null }[];
    const values = (reply.chart!.spec as { data: { values: { chip: string; label: string; perUser: number }[] } }).data.values;
    const serving = rows.filter((r) => r.tokensPerSecondPerUser);
    expect(values).toHaveLength(serving.length);
    for (const r of serving) {
      const name = cat.chipById.get(r.chip)!.name;
      const mark = values.filter((v) => name.includes(v.chip.replace(/^(RTX|MI|TPU)/, '$1')) || v.chip === name);
      expect(mark.length, name).toBeGreaterThan(0);
      expect(values.some((v) => Math.abs(v.perUser - r.tokensPerSecondPerUser!.expected) < 1e-9), name).toBe(true);
    }
    expect(new Set(values.map((v) => v.label)).size).toBe(values.length);
    // drawn: every chip's label on its own line of the chart, at least a font height apart
    const svg = await chartSvg(reply.chart!.spec);
    const ys = values.map((v) => {
      const m = new RegExp(`translate\\(-?[\\d.]+,([\\d.]+)\\)"[^>]*>${v.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</text>`).exec(svg);
      expect(m, v.label).not.toBeNull();
      return Number(m![1]);
    }).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect(ys[i] - ys[i - 1]).toBeGreaterThanOrEqual(12);
    const mi300x = values.find((v) => v.chip === 'MI300X')!;
    expect(mi300x.perUser).toBeCloseTo(rows.find((r) => r.chip === 'mi300x')!.tokensPerSecondPerUser!.expected, 6);
  });
});
