// /frontier model chip [chip2 …] — throughput per chip (or per kW, per $/hour) against tokens/s per user.
import { z } from 'zod';
import { parseFormat } from '../src/core/formats.ts';
import { DEFAULT_INPUT, DEFAULT_OUTPUT } from '../src/views/defaults.ts';
import { chipArgs, priced } from '../src/views/deploy.ts';
import { frontierReply } from '../src/views/frontier.ts';
import { isReply, pickModel } from '../src/views/scenario.ts';
import { count, type Command } from './command.ts';
import { chipSlots, chunkOption, contextTooLong, pickChips } from './deploy-options.ts';
import { FORMAT_CHOICES, formatOption, tokensOption } from './scenario.ts';

export const FRONTIER_CHIPS = chipSlots(8, 'Chip, e.g. b200', true);
const METRICS = ['chip', 'kw', 'usd'] as const;

const Input = z.object({
  model: z.string().min(1),
  ...Object.fromEntries(FRONTIER_CHIPS.names.map((n) => [n, z.string().optional()])),
  per: z.enum(METRICS, { message: 'per is chip, kw or usd' }).default('chip'),
  weights: formatOption.optional(),
  input: tokensOption('input').optional(),
  output: count('output', 1_000_000).optional(),
  chunk: chunkOption,
});
type Input = z.infer<typeof Input>;

export const frontierCommand: Command<Input> = {
  name: 'frontier',
  description: 'Throughput per chip against tokens/s per user: the Pareto frontier, across vendors',
  options: [
    { name: 'model', description: 'Model, e.g. llama-3.3-70b', type: 'string', required: true, autocomplete: 'model' },
    ...FRONTIER_CHIPS.specs,
    { name: 'per', description: 'Throughput per chip, per kW or per $/hour (default chip)', type: 'string', choices: METRICS.map((m) => ({ name: m, value: m })) },
    { name: 'weights', description: 'Sweep one weight format only (default: each chip’s usual and native formats)', type: 'string', choices: FORMAT_CHOICES },
    { name: 'input', description: `Prompt tokens (default ${DEFAULT_INPUT})`, type: 'integer' },
    { name: 'output', description: `Output tokens (default ${DEFAULT_OUTPUT})`, type: 'integer' },
    { name: 'chunk', description: 'Chunked prefill: prompt tokens per step (default off)', type: 'integer' },
  ],
  input: Input,
  slow: true,
  run(o, ctx) {
    const m = pickModel(ctx.catalog, o.model);
    if (isReply(m)) return m;
    const picked = pickChips(ctx.catalog, chipArgs(o, FRONTIER_CHIPS.names));
    if (isReply(picked)) return picked;
    const input = o.input ?? DEFAULT_INPUT, output = o.output ?? DEFAULT_OUTPUT;
    if (input + output > m.item.maxContext) {
      return contextTooLong(m.item.name, m.item.maxContext, input + output);
    }
    const reply = frontierReply(ctx.catalog, {
      model: m.item, chips: picked.chips.map((c) => priced(ctx.catalog, c)), inputTokens: input, outputTokens: output,
      weights: o.weights ? parseFormat(o.weights)! : undefined, metric: o.per, chunkTokens: o.chunk || null,
    });
    reply.notes.unshift(...picked.notes);
    return reply;
  },
};

