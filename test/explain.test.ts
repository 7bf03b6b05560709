import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execute } from '../commands/command.ts';
import { explainCommand } from '../commands/explain.ts';
import { EXPLAINERS_FILE, explainerByIndex, explainers, explainReply, findExplainer, firstSentence, loadExplainers } from '../src/views/explain.ts';
import { catalog } from '../src/catalog/load.ts';
import { Explainer } from '../src/catalog/schema.ts';

const cat = catalog();
const ctx = { catalog: cat };
const TOPICS = ['memory-wall', 'prefill-vs-decode', 'prefill-interference', 'disaggregation', 'kv-cache', 'memory-tiers', 'batching', 'moe', 'parallelism',
  'speculative-decoding', 'quantization', 'gpus', 'tpus', 'cerebras', 'groq', 'd-matrix', 'etched', 'taalas', 'sambanova'];

describe('data/explainers.json', () => {
  const raw = JSON.parse(readFileSync(EXPLAINERS_FILE, 'utf8')) as unknown[];

  it('holds every topic the product promises', () => {
    expect(explainers().map((e) => e.id).sort()).toEqual([...TOPICS].sort());
  });

  it('every topic parses and fits the length limit, with 1–3 links', () => {
    for (const entry of raw) {
      const e = Explainer.parse(entry);
      expect(e.body.length, e.id).toBeLessThanOrEqual(1200);
      expect(e.links.length, e.id).toBeGreaterThanOrEqual(1);
      expect(e.links.length, e.id).toBeLessThanOrEqual(3);
      for (const l of e.links) expect(l.url, e.id).toMatch(/^https:\/\//);
      expect(e.aliases.length, e.id).toBeGreaterThan(0);
    }
  });

  it('every chip id a topic names exists in the catalog', () => {
    for (const e of explainers()) for (const id of e.chips) expect(cat.chipById.has(id), `${e.id} → ${id}`).toBe(true);
  });

  it('a broken file fails with the file and the entry named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memwall-explain-'));
    const file = join(dir, 'explainers.json');
    const broken = structuredClone(raw) as Record<string, unknown>[];
    broken[2].body = 'too short';
    writeFileSync(file, JSON.stringify(broken));
    expect(() => loadExplainers(file)).toThrow(/explainers\.json \(entry 2, prefill-interference\): field body/);
    const clash = structuredClone(raw) as { aliases: string[] }[];
    clash[0].aliases.push('sohu');
    writeFileSync(file, JSON.stringify(clash));
    expect(() => loadExplainers(file)).toThrow(/entry \d+, etched\): the name "sohu" also belongs to "memory-wall"/);
  });
});

describe('/explain', () => {
  it('finds topics by id, title or alias', () => {
    expect(findExplainer('memory wall')?.id).toBe('memory-wall');
    expect(findExplainer('Memory-Wall')?.id).toBe('memory-wall');
    expect(findExplainer('sohu')?.id).toBe('etched');
    expect(findExplainer('lpu')?.id).toBe('groq');
    expect(findExplainer('The KV cache')?.id).toBe('kv-cache');
    expect(findExplainer('SRAM')?.id).toBe('memory-tiers');
    expect(findExplainer('hc1')?.id).toBe('taalas');
    expect(findExplainer('wafer')?.id).toBe('cerebras');
    expect(findExplainer('nvfp4')?.id).toBe('quantization');
  });

  it('answers a topic with its first sentence, the rest as fields, links as sources and related chips', async () => {
    const r = await execute(explainCommand, { topic: 'sohu' }, ctx);
    const e = findExplainer('etched')!;
    expect(r.kind).toBe('answer');
    expect(r.title).toBe(e.title);
    expect(r.summary).toBe(firstSentence(e.body).first);
    expect(r.summary.length).toBeLessThan(e.body.length);
    expect(r.summary).toMatch(/\.$/);
    expect(r.fields.map((f) => f.value).join('\n\n')).toBe(firstSentence(e.body).rest);
    expect(r.sources.map((s) => s.url)).toEqual(e.links.map((l) => l.url));
    expect(r.notes.join(' ')).toContain('/chip etched-sohu');
  });

  it('keeps every field within Discord limits and the summary to one sentence', () => {
    for (const e of explainers()) {
      const r = explainReply(e, cat);
      expect(r.summary.length, e.id).toBeLessThanOrEqual(300);
      expect(r.summary.includes('\n'), e.id).toBe(false);
      for (const f of r.fields) expect(f.value.length, e.id).toBeLessThanOrEqual(1024);
      expect(`${r.summary}\n\n${r.fields.map((f) => f.value).join('\n\n')}`.trim()).toBe(e.body.trim());
    }
  });

  it('does not end a sentence at an abbreviation', () => {
    expect(firstSentence('Chips differ, e.g. Groq vs. Cerebras. More here.')).toEqual({ first: 'Chips differ, e.g. Groq vs. Cerebras.', rest: 'More here.' });
  });

  it('an unknown topic gives a private error with a did-you-mean', async () => {
    const r = await execute(explainCommand, { topic: 'memroy wal' }, ctx);
    expect(r.kind).toBe('error');
    expect(r.private).toBe(true);
    expect(r.summary).toContain('Did you mean');
    expect(r.summary).toContain('`memory-wall`');
  });

  it('with no topic, lists one row per topic', async () => {
    const r = await execute(explainCommand, {}, ctx);
    expect(r.kind).toBe('answer');
    expect(r.table?.columns).toEqual(['id', 'title']);
    expect(r.table?.rows.length).toBe(explainers().length);
    expect(r.table?.rows.map((row) => row[0])).toEqual(explainers().map((e) => e.id));
  });

  it('offers every topic for autocomplete', () => {
    const t = explainCommand.topics();
    expect(t.length).toBe(explainers().length);
    expect(t).toContainEqual({ name: findExplainer('groq')!.title, value: 'groq' });
    expect(explainCommand.description.length).toBeLessThanOrEqual(100);
    for (const c of t) expect(c.name.length).toBeLessThanOrEqual(100);
  });

  it('explainerByIndex rotates through the topics', () => {
    const n = explainers().length;
    expect(explainerByIndex(0)).toBe(explainerByIndex(n));
    expect(explainerByIndex(-1)).toBe(explainerByIndex(n - 1));
    for (let i = 0; i < n; i++) expect(explainerByIndex(i).id).not.toBe(explainerByIndex(i + 1).id);
    expect(new Set(Array.from({ length: n }, (_, i) => explainerByIndex(i).id)).size).toBe(n);
  });
});
