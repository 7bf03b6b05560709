// A full /plan and a full /frontier (every chip that can run the model) on a 70B model and on DeepSeek-V3:
// time per question (median of warm runs) and the evaluations each makes.
import type { Catalog } from '../src/catalog/load.ts';
import { priced } from '../src/views/deploy.ts';
import { refusal } from '../src/core/fit.ts';
import { frontier } from '../src/core/frontier.ts';
import { plan } from '../src/core/plan.ts';

export interface DeployBench { question: string; model: string; chips: number; medianMs: number; maxMs: number; evaluations: number }

/** Time a question; `run` returns how many configurations it evaluated. */
function time(run: () => number, n = 7): { medianMs: number; maxMs: number; evaluations: number } {
  const evaluations = run(); // warm
  const times: number[] = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); run(); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  return { medianMs: Math.round(times[n >> 1] * 10) / 10, maxMs: Math.round(times[n - 1] * 10) / 10, evaluations: Math.round(evaluations) };
}

export function benchDeploy(cat: Catalog, models = ['llama-3.3-70b', 'deepseek-v3']): DeployBench[] {
  const out: DeployBench[] = [];
  const reserve = cat.efficiency.runtimeReserve.fraction;
  for (const id of models) {
    const model = cat.modelById.get(id);
    if (!model) continue;
    const chips = cat.chips.filter((c) => !refusal(model, c)).map((c) => priced(cat, c));
    const base = { model, chips, inputTokens: 1024, outputTokens: 1024, reserveFraction: reserve, serving: { chunkTokens: null } };
    out.push({ question: '/frontier', model: id, chips: chips.length, ...time(() => frontier(base).reduce((n, f) => n + f.evaluations, 0)) });
    out.push({ question: '/plan', model: id, chips: chips.length, ...time(() => plan({ ...base, targets: { ttftMs: 500, perUser: 50 }, load: { users: 1000 }, limits: {} }).chips.reduce((n, c) => n + c.evaluations, 0)) });
  }
  return out;
}
