// Whether the JavaScript built into dist/ (scripts/build.mjs, run at `npm install`) is at least as new as every
// TypeScript source it was built from. A few hundred stat calls: a couple of milliseconds.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** dist/<entry>.mjs when it exists and no source under src/ or commands/ changed after the build; else null. */
export function builtEntry(entry) {
  try {
    const built = statSync(join(ROOT, 'dist', 'BUILT')).mtimeMs;
    statSync(join(ROOT, 'dist', `${entry}.mjs`));
    if (Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'commands'))) > built) return null;
    return join(ROOT, 'dist', `${entry}.mjs`);
  } catch {
    return null;
  }
}
