// `npm run bench` — prints figures; never pass/fail on time. `--json` for one JSON document.
import { catalog } from '../src/catalog/load.ts';
import { benchCore } from './core.ts';

const json = process.argv.includes('--json');
const cat = catalog();
const core = benchCore(cat);
const result: Record<string, unknown> = { core };
if (json) console.log(JSON.stringify(result, null, 2));
else {
  console.log('core');
  console.log(`  evaluations per second (one core): ${core.evaluationsPerSecond.toLocaleString('en-US')}`);
  console.log(`  full sweep: ${core.sweepEvaluations.toLocaleString('en-US')} evaluations (chips × models × 5 formats × 8 batches × 4 contexts) in ${core.sweepMs.toLocaleString('en-US')} ms`);
}
