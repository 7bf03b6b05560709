// Start-up work done once (issue 10): the catalog validated at build time is used only while it matches data/ and
// the validating code, and is the same catalog a full load gives. (Timings are printed by `npm run bench`, never
// asserted here.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalogCache, stamp, writeCatalogCache } from '../src/catalog/cache.ts';
import { loadCatalog } from '../src/catalog/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwall-cache-'));
const file = join(dir, 'catalog.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the build-time catalog cache', () => {
  it('gives the same catalog as loading and validating data/', () => {
    writeCatalogCache(file);
    const cached = readCatalogCache(file);
    expect(cached).not.toBeNull();
    const full = loadCatalog();
    for (const k of ['chips', 'models', 'measurements', 'efficiency', 'plan'] as const) expect(JSON.parse(JSON.stringify(cached![k]))).toEqual(JSON.parse(JSON.stringify(full[k])));
    expect(cached!.chipById.get('h100-sxm')!.name).toBe('NVIDIA H100 SXM');
    expect(cached!.family(cached!.chipById.get('cerebras-wse-3')!)).toEqual(full.family(full.chipById.get('cerebras-wse-3')!));
  });

  it('is ignored when data/ or the schema changed since it was written (stamp mismatch), or when it is unreadable', () => {
    writeCatalogCache(file);
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    expect(raw.stamp).toBe(stamp());
    writeFileSync(file, JSON.stringify({ ...raw, stamp: raw.stamp.replace(/:(\d+)\|/, (_: string, n: string) => `:${Number(n) + 1}|`) }));
    expect(readCatalogCache(file)).toBeNull();
    writeFileSync(file, '{not json');
    expect(readCatalogCache(file)).toBeNull();
    expect(readCatalogCache(join(dir, 'missing.json'))).toBeNull();
  });

  it('the stamp names every data file and the validating code', () => {
    const s = stamp();
    for (const f of ['chips/h100-sxm.json', 'models/llama-3.1-70b.json', 'efficiency.json', 'fit-plan.json', 'explainers.json']) expect(s).toContain(`${f}:`);
    expect(s).toMatch(/schema\.ts:\d+:\d+/);
  });
});
