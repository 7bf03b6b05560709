// /estimate model chip [chips] [weights] [batch] [input] [output] — the full estimate, every figure with its range.
import { z } from 'zod';
import type { Model } from '../src/catalog/schema.ts';
import { estimate } from '../src/core/estimate.ts';
import type { SpecDecode } from '../src/core/types.ts';
import { errorReply, type Reply } from '../src/reply/reply.ts';
import { DEFAULT_INPUT, DEFAULT_OUTPUT } from '../src/views/defaults.ts';
import { estimateReply } from '../src/views/estimate.ts';
import { buildScenario, isReply, pickModel } from '../src/views/scenario.ts';
import { count, type Command, type Context } from './command.ts';
import { batchOption, DEPLOYMENT_OPTION, deploymentOption, FORMAT_CHOICES, formatOption, tokensOption } from './scenario.ts';

const Input = z.object({
  model: z.string().min(1),
  chip: z.string().min(1),
  chips: count('chips', 100_000).optional(),
  weights: formatOption.optional(),
  kv: formatOption.optional(),
  batch: batchOption.optional(),
  input: tokensOption('input').optional(),
  output: count('output', 10_000_000).optional(),
  'spec-decode': z.string().optional(),
  deployment: deploymentOption.optional(),
  'tpot-ms': z.coerce.number({ message: 'tpot-ms is a number of milliseconds' }).positive('tpot-ms must be above 0').max(60_000, 'tpot-ms is at most 60,000').optional(),
  via: z.enum(['chips', 'api'], { message: 'via is chips (time on the chips, the default) or api (as a client measures it through a public API)' }).optional(),
});
type Input = z.infer<typeof Input>;

export const estimateCommand: Command<Input> = {
  name: 'estimate',
  description: 'Full estimate: time to first token, decode speed, energy and cost, with ranges',
  options: [
    { name: 'model', description: 'Model, e.g. llama-3.1-70b', type: 'string', required: true, autocomplete: 'model' },
    { name: 'chip', description: 'Chip or vendor, e.g. b200, groq', type: 'string', required: true, autocomplete: 'chip' },
    { name: 'chips', description: 'Chips to use (default: as few as fit)', type: 'integer' },
    { name: 'weights', description: 'Weight format (default: the chip’s usual one, or the model’s narrower release)', type: 'string', choices: FORMAT_CHOICES },
    { name: 'kv', description: 'KV-cache format (default: the chip’s usual one)', type: 'string', choices: FORMAT_CHOICES },
    { name: 'batch', description: 'Concurrent sequences, or "max" (default 1)', type: 'string' },
    { name: 'input', description: `Prompt tokens (default ${DEFAULT_INPUT})`, type: 'integer' },
    { name: 'output', description: `Output tokens (default ${DEFAULT_OUTPUT})`, type: 'integer' },
    { name: 'spec-decode', description: 'Speculative decoding: mtp:K:ACC or draft:MODEL:K:ACC, e.g. draft:llama-3.2-1b:4:0.7', type: 'string' },
    DEPLOYMENT_OPTION,
    { name: 'tpot-ms', description: 'With batch max: keep each token within this many ms (default 200, MLPerf Server)', type: 'integer' },
    { name: 'via', description: 'TTFT on the chips (default) or as a client sees it through a public API (adds network time)', type: 'string', choices: [{ name: 'chips', value: 'chips' }, { name: 'api', value: 'api' }] },
  ],
  input: Input,
  run(o, ctx) {
    const spec = o['spec-decode'] ? parseSpecDecode(o['spec-decode'], ctx) : undefined;
    if (isReply(spec)) return spec;
    const built = buildScenario(ctx.catalog, { ...o, specDecode: spec, tpotMs: o['tpot-ms'] }, { input: DEFAULT_INPUT, output: DEFAULT_OUTPUT });
    if (isReply(built)) return built;
    const api = o.via === 'api' ? ctx.catalog.efficiency.apiOverheadMs : undefined;
    if (o.via === 'api' && !api) return errorReply('No API-overhead term is fitted in this catalog (data/fit-plan.json names no rows for it).', 'Leave out `via` for the time on the chips.');
    const e = estimate({ ...built.scenario, apiOverheadMs: api });
    return estimateReply(e, built.notes, built.scenario.chip, built.scenario.model, ctx.catalog);
  },
};

/** "mtp:3:0.8" or "draft:llama-3.2-1b:4:0.7" (method, [draft model], draft length, acceptance) */
export function parseSpecDecode(text: string, ctx: Context): SpecDecode | Reply {
  const parts = text.split(':').map((s) => s.trim());
  const bad = errorReply(`I could not read the speculative-decoding option "${text}".`, 'Write it as `mtp:<draft length>:<acceptance>` (e.g. `mtp:3:0.8`) or `draft:<model>:<draft length>:<acceptance>` (e.g. `draft:llama-3.2-1b:4:0.7`).');
  let draftModel: Model | undefined;
  let rest: string[];
  if (parts[0] === 'mtp' && parts.length === 3) rest = parts.slice(1);
  else if (parts[0] === 'draft' && parts.length === 4) {
    const m = pickModel(ctx.catalog, parts[1]);
    if (isReply(m)) return m;
    draftModel = m.item;
    rest = parts.slice(2);
  } else return bad;
  const k = Number(rest[0]), a = Number(rest[1]);
  if (!Number.isInteger(k) || k < 1 || k > 16 || !(a >= 0 && a <= 1)) return bad;
  return { method: parts[0] as 'mtp' | 'draft', draftModel, draftLength: k, acceptance: a };
}
