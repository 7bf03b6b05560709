import { describe, expect, it } from 'vitest';
import { catalog, type Catalog } from '../src/catalog/load.ts';
import { buildDigest, diff, snapshot } from '../src/digest/content.ts';
import { toDiscord } from '../src/reply/discord.ts';
import { toSlack } from '../src/reply/slack.ts';
import { shortName } from '../src/views/landscape.ts';

const cat = catalog();
const model = cat.modelById.get('llama-3.1-70b')!;
const now = new Date('2026-11-26T09:00:00Z');

function edited(edit: (c: Catalog) => void): Catalog {
  const copy: Catalog = { ...cat, chips: structuredClone(cat.chips), models: structuredClone(cat.models) };
  edit(copy);
  copy.chipById = new Map(copy.chips.map((c) => [c.id, c]));
  copy.modelById = new Map(copy.models.map((m) => [m.id, m]));
  return copy;
}

describe('digest content', () => {
  it('"what changed" names chips and models added, removed and revised, with the figures and a source', () => {
    const before = snapshot(cat, now);
    const after = snapshot(edited((c) => {
      c.chips.find((x) => x.id === 'h100-sxm')!.memory[0].bandwidthGBs!.value = 3500;
      c.models.push({ ...structuredClone(c.models[0]), id: 'new-model', name: 'New Model' });
      c.chips.splice(c.chips.findIndex((x) => x.id === 'tpu-v5e'), 1);
    }), now);
    const changes = diff(before, after);
    expect(changes.find((x) => x.id === 'h100-sxm')).toMatchObject({ kind: 'revised', what: 'chip', details: ['HBM3 bandwidth (GB/s): 3,350 → 3,500'] });
    expect(changes.find((x) => x.id === 'h100-sxm')!.source).toMatch(/^https?:/);
    expect(changes.find((x) => x.id === 'new-model')).toMatchObject({ kind: 'added', what: 'model' });
    expect(changes.find((x) => x.id === 'tpu-v5e')).toMatchObject({ kind: 'removed', what: 'chip' });
    expect(diff(before, snapshot(cat, now))).toEqual([]);
  });

  it('a digest after a revision says what changed since the channel’s last digest', () => {
    const first = buildDigest(cat, { model, postCount: 0, lastSnapshot: null, now });
    const revised = edited((c) => { c.chips.find((x) => x.id === 'b200')!.powerW!.value = 1200; });
    const second = buildDigest(revised, { model, postCount: 1, lastSnapshot: first.snapshot, now: new Date('2026-12-03T09:00:00Z') });
    const changed = second.reply.fields[0];
    expect(changed.name).toBe('What changed since 2026-11-26');
    expect(changed.value).toMatch(/revised chip \*\*NVIDIA B200 \(HGX\)\*\*: power \(W\): 1,000 → 1,200/);
  });

  it('holds the landscape table and chart, and one explainer that rotates', () => {
    const a = buildDigest(cat, { model, postCount: 0, lastSnapshot: null, now });
    const b = buildDigest(cat, { model, postCount: 1, lastSnapshot: null, now });
    expect(a.reply.table!.rows).toHaveLength(cat.chips.length);
    expect(a.reply.chart).toBeDefined();
    const topic = (r: typeof a) => r.reply.fields.find((f) => f.name.startsWith('Explained:'))!.name;
    expect(topic(a)).not.toBe(topic(b));
  });

  it('fits the platforms: one Discord message under 6,000 characters with every row, Slack under 50 blocks', () => {
    const d = buildDigest(cat, { model, postCount: 0, lastSnapshot: null, now });
    const discord = toDiscord(d.reply, { chartName: 'chart.png' });
    const chars = discord.embeds.reduce((n: number, e: any) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text?.length ?? 0)
      + (e.fields ?? []).reduce((m: number, f: any) => m + f.name.length + f.value.length, 0), 0);
    expect(chars).toBeLessThanOrEqual(6000);
    const text = JSON.stringify(discord.embeds);
    for (const c of cat.chips) expect(text).toContain(shortName(c.name));
    expect(text).toMatch(/More: `\/explain /);
    const slack = toSlack(d.reply);
    for (const m of slack) expect(m.blocks.length).toBeLessThanOrEqual(50);
  });
});
