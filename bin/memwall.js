#!/usr/bin/env node
// Entry point for `npx memwall`: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/platforms/local/cli.ts');
await main();
