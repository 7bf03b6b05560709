// The GPUs community servers ask about (issue 10): sourced from the vendors' own documents, and a "did you mean"
// that suggests by vendor and kind, not only by spelling.
import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { resolveChip } from '../src/catalog/resolve.ts';
import { runCli } from '../src/platforms/local/cli.ts';

const NEW = ['l4', 'l40s', 'rtx-4090', 'rtx-5090', 'rtx-pro-6000', 'mi250x', 'gaudi-3'];
const PRIMARY = /^https:\/\/(www\.nvidia\.com|images\.nvidia\.com|www\.amd\.com|www\.intel\.com|hc2024\.hotchips\.org|aws\.amazon\.com|docs\.olcf\.ornl\.gov)\//;

describe('new inference GPUs', () => {
  it('are in the catalog, each with its family fitted in data/efficiency.json', () => {
    const cat = catalog();
    for (const id of NEW) {
      const c = cat.chipById.get(id);
      expect(c, id).toBeDefined();
      expect(cat.efficiency.families[c!.family], `${id} family ${c!.family}`).toBeDefined();
    }
  });

  it('every figure cites a vendor document (datasheet, whitepaper, vendor talk) or a system operator', () => {
    for (const id of NEW) {
      const c = catalog().chipById.get(id)!;
      // an independent measurement of what the chip sustains (achievableMatmul) is not a spec figure
      const measuredOnly = new Set(Object.values(c.achievableMatmul ?? {}).flatMap((f) => f.sources));
      for (const [key, s] of Object.entries(c.sources)) if (!measuredOnly.has(key)) expect(s.url, `${id} ${key}`).toMatch(PRIMARY);
      const figures = [...c.memory.flatMap((t) => [t.capacityGB, t.bandwidthGBs]), ...Object.values(c.compute), c.powerW, c.link.bandwidthGBs, c.link.domainSize].filter((f) => f);
      for (const f of figures) expect(['vendor', 'derived'], `${id}`).toContain(f!.kind);
    }
  });

  it('answer through the CLI by the names people use', async () => {
    for (const [name, id] of [['rtx 4090', 'GeForce RTX 4090'], ['l40s', 'L40S'], ['gaudi 3', 'Gaudi 3'], ['mi250x', 'MI250X'], ['rtx pro 6000', 'RTX PRO 6000']]) {
      const r = await runCli(['fit', 'llama-3.1-8b', ...name.split(' ')]);
      expect(r.code, name).toBe(0);
      expect(r.stdout.split('\n')[0], name).toContain(id);
    }
  });
});

describe('"did you mean" by vendor and kind', () => {
  it('"rtx 4080" suggests the RTX cards, never Rubin', () => {
    const r = resolveChip(catalog(), 'rtx 4080');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.suggestions.length).toBeGreaterThan(0);
    for (const s of r.suggestions) expect(s).toMatch(/^rtx-/);
    expect(r.suggestions).not.toContain('rubin');
  });

  it('a vendor with an unknown part suggests that vendor\'s chips', () => {
    const r = resolveChip(catalog(), 'intel gaudi 9');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.suggestions).toEqual(['gaudi-3']);
    const n = resolveChip(catalog(), 'nvidia x900');
    if (!n.ok) for (const s of n.suggestions) expect(catalog().chipById.get(s)!.vendor).toBe('NVIDIA');
  });
});
