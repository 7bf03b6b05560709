// Renders the README's example charts into docs/ (npx tsx scripts/render-charts.ts).
import { writeFileSync } from 'node:fs';
import { catalog } from '../src/catalog/load.ts';
import { renderChart } from '../src/charts/render.ts';
import { runCommand } from '../src/platforms/dispatch.ts';

const ctx = { catalog: catalog() };
const examples: [string, string, Record<string, string>][] = [
  ['compare', 'compare', { a: 'groq', b: 'etched', phase: 'both' }],
  ['landscape', 'landscape', {}],
];
for (const [name, cmd, options] of examples) {
  const reply = await runCommand(cmd, options, ctx);
  const png = reply.chart ? await renderChart(reply.chart) : null;
  if (!png) throw new Error(`no chart for /${cmd}`);
  writeFileSync(`docs/chart-${name}.png`, png);
  console.log(`docs/chart-${name}.png`);
}
