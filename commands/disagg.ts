// /disagg model prefill-chip decode-chip — prefill on one kind of chip, decode on another, the KV cache moved between.
import { z } from 'zod';
import { disaggregate } from '../src/core/disagg.ts';
import { defaultFormats } from '../src/core/formats.ts';
import { errorReply } from '../src/reply/reply.ts';
import { disaggReply } from '../src/views/disagg.ts';
import { isReply, pickChip, pickModel } from '../src/views/scenario.ts';
import { count, type Command } from './command.ts';
import { tokensOption } from './scenario.ts';

const Input = z.object({
  model: z.string().min(1),
  'prefill-chip': z.string().min(1),
  'decode-chip': z.string().min(1),
  input: tokensOption('input').optional(),
  output: count('output', 10_000_000).optional(),
});
type Input = z.infer<typeof Input>;

export const DISAGG_INPUT = 8192;
export const DISAGG_OUTPUT = 512;

export const disaggCommand: Command<Input> = {
  name: 'disagg',
  description: 'Disaggregated serving: prefill on one chip, decode on another, with the KV transfer',
  options: [
    { name: 'model', description: 'Model, e.g. llama-3.1-70b', type: 'string', required: true, autocomplete: 'model' },
    { name: 'prefill-chip', description: 'Chip for prefill, e.g. b200', type: 'string', required: true, autocomplete: 'chip' },
    { name: 'decode-chip', description: 'Chip for decode, e.g. groq', type: 'string', required: true, autocomplete: 'chip' },
    { name: 'input', description: `Prompt tokens (default ${DISAGG_INPUT})`, type: 'integer' },
    { name: 'output', description: `Output tokens (default ${DISAGG_OUTPUT})`, type: 'integer' },
  ],
  input: Input,
  run(o, ctx) {
    const m = pickModel(ctx.catalog, o.model);
    if (isReply(m)) return m;
    const a = pickChip(ctx.catalog, o['prefill-chip']);
    if (isReply(a)) return a;
    const b = pickChip(ctx.catalog, o['decode-chip']);
    if (isReply(b)) return b;
    if (a.item.id === b.item.id) return errorReply(`Both sides are ${a.item.name}; that is ordinary serving.`, 'Try `/estimate` for one chip, or pick two kinds, e.g. `/disagg llama-70b b200 groq`.');
    const input = o.input ?? DISAGG_INPUT, output = o.output ?? DISAGG_OUTPUT;
    const fa = defaultFormats(a.item), fb = defaultFormats(b.item);
    const d = disaggregate({
      model: m.item, kv: fb.kv, inputTokens: input, outputTokens: output, batch: 1, reserveFraction: ctx.catalog.efficiency.runtimeReserve.fraction,
      prefill: { chip: a.item, family: ctx.catalog.family(a.item), weights: fa.weights, chips: 'auto' },
      decode: { chip: b.item, family: ctx.catalog.family(b.item), weights: fb.weights, chips: 'auto' },
    });
    const reply = disaggReply(d, m.item, input, output, [a.item, b.item]);
    reply.notes.unshift(...[a.note, b.note].filter((n): n is string => !!n), `KV cache in ${fb.kv.toUpperCase()}; each side in its usual weight format (${fa.weights.toUpperCase()} / ${fb.weights.toUpperCase()}).`);
    return reply;
  },
};
