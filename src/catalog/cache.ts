// A validated copy of data/ written at build time (dist/catalog.json), so a CLI answer does not re-validate every
// file with zod at each start. Used only while it matches: the same data files with the same sizes and times, and
// the same schema and loader sources; otherwise the catalog is loaded and validated from data/ as always.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR, loadCatalog, type Catalog } from './load.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CACHE_FILE = join(DATA_DIR, '..', 'dist', 'catalog.json');
const CODE = [join(HERE, 'schema.ts'), join(HERE, 'load.ts'), join(HERE, 'cache.ts')];

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []));
}

/** What the cache must match: every data file (path, size, mtime) and the code that validates them. */
export function stamp(dataDir = DATA_DIR): string {
  const parts = [...files(dataDir).sort(), ...CODE].map((f) => {
    try { const s = statSync(f); return `${relative(dataDir, f)}:${s.size}:${Math.round(s.mtimeMs)}`; } catch { return `${f}:missing`; }
  });
  return parts.join('|');
}

type Parts = Pick<Catalog, 'chips' | 'models' | 'measurements' | 'efficiency' | 'plan'>;

export function writeCatalogCache(file = CACHE_FILE): void {
  const cat = loadCatalog();
  const parts: Parts = { chips: cat.chips, models: cat.models, measurements: cat.measurements, efficiency: cat.efficiency, plan: cat.plan };
  writeFileSync(file, JSON.stringify({ stamp: stamp(), ...parts }));
}

/** The cached catalog when it matches data/ and the code, else null. Never throws. */
export function readCatalogCache(file = CACHE_FILE): Catalog | null {
  try {
    if (!existsSync(file)) return null;
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Parts & { stamp: string };
    if (raw.stamp !== stamp()) return null;
    const { chips, models, measurements, efficiency, plan } = raw;
    return {
      chips, models, measurements, efficiency, plan,
      chipById: new Map(chips.map((c) => [c.id, c])), modelById: new Map(models.map((m) => [m.id, m])),
      family: (chip) => efficiency.families[chip.family],
    };
  } catch {
    return null;
  }
}

/** Turn the cache on for this process's catalog() (re-exported so a bin can do it before loading the server). */
export { useCatalogCache } from './load.ts';
