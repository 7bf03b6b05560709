#!/usr/bin/env node
// Entry point for `memwall` (installed once with `npm link`, or run as `npx memwall`). Runs the JavaScript built at
// install (dist/cli.mjs) when it is up to date with the sources, else compiles the TypeScript through tsx.
import { pathToFileURL } from 'node:url';
import { builtEntry } from './fresh.js';

const built = builtEntry('cli');
if (built) {
  const { main } = await import(pathToFileURL(built).href);
  await main();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/platforms/local/cli.ts');
  await main();
}
