// Start-up work done once (issue 10): the data files validated at build time are reused only while each file and the
// schema are unchanged, and give the same catalog as validating them again. (Timings are printed by `npm run bench`,
// never asserted here.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { codeStamp, stopParsedCache, useParsedCache, writeParsedCache } from '../src/catalog/cache.ts';
import { loadCatalog } from '../src/catalog/load.ts';
import { Chip } from '../src/catalog/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwall-cache-'));
const file = join(dir, 'parsed.json');
afterEach(() => { stopParsedCache(); vi.restoreAllMocks(); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('the build-time copy of the validated data files', () => {
  it('records every chip, model and measurement file, and gives the same catalog without validating them again', () => {
    const n = writeParsedCache(() => loadCatalog(), file);
    const memo = JSON.parse(readFileSync(file, 'utf8'));
    expect(n).toBe(Object.keys(memo.entries).length);
    expect(Object.keys(memo.entries)).toEqual(expect.arrayContaining(['data/chips/h100-sxm.json', 'data/models/llama-3.1-70b.json']));
    const full = loadCatalog();
    useParsedCache(file);
    const parse = vi.spyOn(Chip, 'safeParse');
    const cached = loadCatalog();
    expect(parse).not.toHaveBeenCalled(); // served from the copy
    for (const k of ['chips', 'models', 'measurements', 'efficiency', 'plan'] as const) expect(plain(cached[k])).toEqual(plain(full[k]));
    expect(cached.family(cached.chipById.get('cerebras-wse-3')!)).toEqual(full.family(full.chipById.get('cerebras-wse-3')!));
  });

  it('is not used when a file changed since (size or time), when the schema changed, or when it is unreadable', () => {
    writeParsedCache(() => loadCatalog(), file);
    const memo = JSON.parse(readFileSync(file, 'utf8'));
    // a file whose recorded stamp no longer matches is validated again
    memo.entries['data/chips/h100-sxm.json'].stamp = '1:1';
    writeFileSync(file, JSON.stringify(memo));
    useParsedCache(file);
    const parse = vi.spyOn(Chip, 'safeParse');
    loadCatalog();
    expect(parse).toHaveBeenCalledTimes(1);
    // another schema: nothing is used
    writeFileSync(file, JSON.stringify({ ...memo, code: `${codeStamp()}x` }));
    useParsedCache(file);
    parse.mockClear();
    const cat = loadCatalog();
    expect(parse).toHaveBeenCalledTimes(cat.chips.length);
    writeFileSync(file, '{not json');
    expect(() => useParsedCache(file)).not.toThrow();
    parse.mockClear();
    loadCatalog();
    expect(parse).toHaveBeenCalledTimes(cat.chips.length);
  });
});
