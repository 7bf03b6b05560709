// data/prices.json and data/interconnects.json: schemas, loaders, and a missing file meaning "unknown", not a crash.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError, DATA_DIR, loadCatalog } from '../src/catalog/load.ts';
import { findInterconnect, loadInterconnects, parseInterconnects } from '../src/catalog/interconnects.ts';
import { loadPrices, parsePrices, priceOf } from '../src/catalog/prices.ts';

const FIX = join(import.meta.dirname, 'fixtures');

function copyData(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'memwall-data-'));
  cpSync(DATA_DIR, dir, { recursive: true });
  edit(dir);
  return dir;
}

describe('prices', () => {
  it('reads one basis and a price per chip; a null price stays unknown', () => {
    const p = loadPrices(join(FIX, 'prices', 'prices.json'));
    expect(p.basis).toMatch(/^rental, on-demand/);
    expect(priceOf(p, 'h100-sxm')).toBe(3.99);
    expect(priceOf(p, 'mi300x')).toBe(1.71);
    expect(priceOf(p, 'groq-lpu-v1')).toBeNull();
    expect(priceOf(p, 'cerebras-wse-3')).toBeNull();
  });
  it('a missing file means every price is unknown', () => {
    const p = loadPrices(join(FIX, 'prices', 'absent.json'));
    expect(p.basis).toBeNull();
    expect(priceOf(p, 'h100-sxm')).toBeNull();
  });
  it('refuses a negative price and a source key the file does not list', () => {
    expect(() => loadPrices(join(FIX, 'prices', 'negative.json'))).toThrow(/chips\.h100-sxm\.usdPerChipHour\.value: a price must be positive/);
    const raw = JSON.parse(readFileSync(join(FIX, 'prices', 'prices.json'), 'utf8'));
    raw.chips.b200.usdPerChipHour.sources = ['nowhere'];
    expect(() => parsePrices(raw)).toThrow(/source "nowhere"/);
    expect(() => parsePrices({ chips: {}, sources: {} })).toThrow(/field basis/);
  });
});

describe('interconnects', () => {
  it('reads the links with their sourced figures and finds them by id, name or kind', () => {
    const list = loadInterconnects(join(FIX, 'interconnects', 'interconnects.json'));
    expect(list.map((i) => i.id)).toEqual(['test-ib-ndr', 'test-eth-100', 'test-fabric-unpublished']);
    expect(list[2].bandwidthGBs).toBeNull(); // unpublished stays unknown
    expect(list[0].bandwidthGBs?.value).toBe(50);
    expect(findInterconnect(list, 'ib')?.id).toBe('test-ib-ndr');
    expect(findInterconnect(list, 'ethernet')?.id).toBe('test-eth-100');
    expect(findInterconnect(list, 'test-eth-100')?.name).toMatch(/Ethernet/);
    expect(findInterconnect(list, 'nvlink')).toBeUndefined();
  });
  it('a missing file means no interconnect data', () => {
    expect(loadInterconnects(join(FIX, 'interconnects', 'absent.json'))).toEqual([]);
  });
  it('refuses an unknown kind, a duplicate id and a non-array', () => {
    expect(() => loadInterconnects(join(FIX, 'interconnects', 'bad-kind.json'))).toThrow(/entry 0, x\): field kind/);
    const list = JSON.parse(readFileSync(join(FIX, 'interconnects', 'interconnects.json'), 'utf8'));
    expect(() => parseInterconnects([list[0], list[0]])).toThrow(/two interconnects have the id "test-ib-ndr"/);
    expect(() => parseInterconnects({})).toThrow(/JSON array/);
  });
});

describe('the catalog with and without the two files', () => {
  it('loads without them: prices unknown, no links', () => {
    const dir = copyData((d) => { rmSync(join(d, 'prices.json'), { force: true }); rmSync(join(d, 'interconnects.json'), { force: true }); });
    const cat = loadCatalog(dir);
    expect(cat.prices.basis).toBeNull();
    expect(cat.interconnects).toEqual([]);
  });
  it('loads them when present', () => {
    const dir = copyData((d) => {
      writeFileSync(join(d, 'prices.json'), readFileSync(join(FIX, 'prices', 'prices.json')));
      writeFileSync(join(d, 'interconnects.json'), readFileSync(join(FIX, 'interconnects', 'interconnects.json')));
    });
    const cat = loadCatalog(dir);
    expect(cat.prices.byChip.get('b200')?.value).toBe(6.69);
    expect(cat.interconnects.map((i) => i.id)).toEqual(['test-ib-ndr', 'test-eth-100', 'test-fabric-unpublished']);
    writeFileSync(join(dir, 'interconnects.json'), '[{"id": "x"}]');
    expect(() => loadCatalog(dir)).toThrow(CatalogError);
    expect(() => loadCatalog(dir)).toThrow(/interconnects\.json \(entry 0, x\): field name/);
  });
  it('a price for a chip the catalog does not know is refused', () => {
    const dir = copyData((d) => {
      const raw = JSON.parse(readFileSync(join(FIX, 'prices', 'prices.json'), 'utf8'));
      raw.chips['h101'] = { usdPerChipHour: null };
      writeFileSync(join(d, 'prices.json'), JSON.stringify(raw));
    });
    expect(() => loadCatalog(dir)).toThrow(/prices\.json: field chips\.h101: unknown chip/);
  });
  it('the repository data loads whether or not the files have landed', () => {
    const cat = loadCatalog();
    expect(cat.prices.basis === null).toBe(!existsSync(join(DATA_DIR, 'prices.json')));
  });
});
