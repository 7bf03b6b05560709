#!/usr/bin/env node
// `npm start`: the server, from the JavaScript built at install (dist/main.mjs) when it is up to date with the
// sources, else the TypeScript through tsx.
import { pathToFileURL } from 'node:url';
import { builtEntry } from './fresh.js';

const built = builtEntry('main');
if (built) {
  // the data files validated at build time, while they are unchanged (src/catalog/cache.ts)
  const cache = await import(pathToFileURL(builtEntry('catalog-cache')).href);
  cache.useParsedCache();
  const { main } = await import(pathToFileURL(built).href);
  await main();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const cache = await import('../src/catalog/cache.ts');
  cache.useParsedCache();
  const { main } = await import('../src/main.ts');
  await main();
}
