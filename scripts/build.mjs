// Build to JavaScript once (run by `npm install` through "prepare", or `npm run build`), so `memwall` and `npm start`
// do not compile TypeScript at every start. Two entry points (the CLI and the server) bundled by esbuild into dist/,
// sharing chunks; the platform libraries, native modules and the chart stack stay external and load only when used.
// Files find data/, assets/ and the playground's static files through import.meta.url: each source file's
// import.meta.url is rewritten to point at its own .ts path, so those relative paths hold inside the bundle.
// Without esbuild (never expected: tsx depends on it) the build is skipped and the bins fall back to tsx.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');

let esbuild;
try { esbuild = await import('esbuild'); } catch {
  console.warn('memwall build: esbuild is not installed; skipped (memwall will compile TypeScript at start instead).');
  process.exit(0);
}

const EXTERNAL = [
  'better-sqlite3', 'pg', '@resvg/resvg-js', 'vega', 'vega-lite', 'discord.js', '@discordjs/rest', '@slack/bolt', '@slack/web-api',
  'pino', 'pino-pretty', 'prom-client', 'node-cron', 'dotenv', 'dotenv/config', 'tsx', 'tsx/esm/api',
];

/** import.meta.url inside a bundled file → the URL of its own source file, relative to the bundle (dist/). */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const rel = relative(OUT, args.path).split('\\').join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const started = Date.now();
await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { cli: 'src/platforms/local/cli.ts', main: 'src/main.ts', 'catalog-cache': 'src/catalog/cache.ts' },
  outdir: OUT, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
  outExtension: { '.js': '.mjs' }, chunkNames: 'chunk-[name]-[hash]', external: EXTERNAL, plugins: [keepModuleUrls],
  logLevel: 'warning', legalComments: 'none', minify: true, keepNames: true,
  // bundled CommonJS dependencies may call require()
  banner: { js: "import { createRequire as __memwallRequire } from 'node:module'; const require = __memwallRequire(import.meta.url);" },
});
// every data file, validated once now, for starts that find it unchanged (src/catalog/cache.ts)
try {
  const { writeParsedCache, loadCatalog } = await import(new URL('../dist/catalog-cache.mjs', import.meta.url).href);
  writeParsedCache(() => loadCatalog());
} catch (e) {
  console.warn(`memwall build: the catalog in data/ did not validate, so no cached copy was written: ${e.message.split('\n')[0]}`);
}
writeFileSync(join(OUT, 'BUILT'), `${new Date().toISOString()}\n`);
console.log(`memwall build: dist/ in ${Date.now() - started} ms`);
