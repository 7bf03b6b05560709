// The zod-validated content of each data file, kept from the build (dist/parsed.json), so a CLI answer does not
// re-validate every chip, model and measurement at each start. An entry is used only while its file has the same size
// and modification time and the schema is the one it was validated with; anything else is parsed and validated as
// always. The loader does every other step (cross-checks, systems, serving) on each load.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
export const PARSED_FILE = join(ROOT, 'dist', 'parsed.json');

interface Memo { code: string; entries: Record<string, { stamp: string; json: string }> }

let memo: Memo | null = null;
let recording: Memo | null = null;

const fileStamp = (file: string) => { const s = statSync(file); return `${s.size}:${Math.round(s.mtimeMs)}`; };
/** The code the entries were validated with: the schema (and this file). */
export const codeStamp = () => [join(HERE, 'schema.ts'), join(HERE, 'cache.ts')].map((f) => (existsSync(f) ? fileStamp(f) : 'missing')).join('|');

/** Use the parsed copy in `file` for this process while it matches. Never throws: a bad file is ignored. */
export function useParsedCache(file = PARSED_FILE): void {
  try {
    const m = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Memo) : null;
    memo = m && m.code === codeStamp() && m.entries ? m : null;
  } catch {
    memo = null;
  }
}

/** Stop using a parsed copy (tests). */
export function stopParsedCache(): void { memo = null; }

/** The validated content of a data file: from the build's copy when the file is unchanged, else `parse()`. */
export function parsedOnce<T>(file: string, parse: () => T): T {
  if (!memo && !recording) return parse();
  const key = relative(ROOT, file).split('\\').join('/');
  const stamp = fileStamp(file);
  const hit = memo?.entries[key];
  if (hit && hit.stamp === stamp) return JSON.parse(hit.json) as T;
  const value = parse();
  if (recording) recording.entries[key] = { stamp, json: JSON.stringify(value) };
  return value;
}

/** Run `load` (a full catalog load) recording every file it validates, and write the copy to `file`. */
export function writeParsedCache(load: () => unknown, file = PARSED_FILE): number {
  const saved = memo;
  memo = null;
  recording = { code: codeStamp(), entries: {} };
  try {
    load();
    writeFileSync(file, JSON.stringify(recording));
    return Object.keys(recording.entries).length;
  } finally {
    recording = null;
    memo = saved;
  }
}

/** Re-exported for scripts/build.mjs, which loads the catalog once through the built bundle to record it. */
export { loadCatalog } from './load.ts';
