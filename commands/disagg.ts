// /disagg model prefill-chip decode-chip — prefill on one kind of chip, decode on another, the KV cache moved between.
import { z } from 'zod';
import type { Chip, Model } from '../src/catalog/schema.ts';
import { disaggregate, type Disagg } from '../src/core/disagg.ts';
import { defaultFormats } from '../src/core/formats.ts';
import * as fmt from '../src/reply/format.ts';
import { answer, errorReply, type Reply } from '../src/reply/reply.ts';
import type { Command } from './command.ts';
import { chipSources, dedupe } from './cite.ts';
import { isReply, pickChip, pickModel, tokensOption } from './scenario.ts';
import { count } from './command.ts';

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

function row(label: string, ttft: import('../src/core/types.ts').Range | null, perUser: import('../src/core/types.ts').Range | null, request: number | null, chips: string): string[] {
  return [label, fmt.msRange(ttft), fmt.range(perUser, 'tok/s'), request === null ? 'unknown' : fmt.ms(request), chips];
}

export function disaggReply(d: Disagg, model: Model, inputTokens: number, outputTokens: number, chips: [Chip, Chip]): Reply {
  const modelName = model.name;
  const what = model.architecture === 'ssm' ? 'recurrent state' : 'KV cache';
  const A = d.prefillOn, B = d.decodeOn;
  const title = `${modelName}: prefill on ${A.chip.name}, decode on ${B.chip.name}`;
  if (!d.ok) return answer(title, `Cannot split this way — ${d.reason}.`, { data: d });
  const chipsA = fmt.count(A.chips, A.chip.unit), chipsB = fmt.count(B.chips, B.chip.unit);
  const alone = (e: typeof A) => e.decode && e.prefill?.ttftMs ? (e.prefill.ttftMs.expected + outputTokens * e.decode.msPerToken.expected) : null;
  const rows = [
    row(`Split: ${A.chip.name} → ${B.chip.name}`, d.ttftMs, d.tokensPerSecondPerUser, d.requestSeconds ? d.requestSeconds.expected * 1e3 : null, `${chipsA} + ${chipsB}`),
    row(`All on ${A.chip.name}`, A.prefill?.ttftMs ?? null, A.decode?.tokensPerSecondPerUser ?? null, alone(A), chipsA),
    row(`All on ${B.chip.name}`, B.prefill?.ttftMs ?? null, B.decode?.tokensPerSecondPerUser ?? null, alone(B), chipsB),
  ];
  const transfer = d.kvTransferMs ? `${fmt.bytes(d.kvBytes)} of ${what} in ${fmt.ms(d.kvTransferMs.expected)} at ${fmt.num(d.transferGBs ?? 0)} GB/s` : `${fmt.bytes(d.kvBytes)} of ${what} over a link whose speed is not published`;
  const summary = d.ttftMs && d.tokensPerSecondPerUser
    ? `First token in **${fmt.msRange(d.ttftMs)}** (prefill on ${chipsA}, then ${transfer}), then **${fmt.range(d.tokensPerSecondPerUser, 'tok/s')}** per user on ${chipsB}.`
    : `Moving ${transfer}; the time to first token is unknown because ${A.chip.name}'s compute is not published.`;
  return answer(title, summary, {
    table: { columns: ['', 'first token', 'per user', `request (${fmt.tokens(inputTokens)} in / ${fmt.tokens(outputTokens)} out)`, 'chips'], rows, align: ['left', 'right', 'right', 'right', 'left'] },
    fields: [
      { name: 'KV transfer', value: transfer, inline: false },
      { name: 'Bottlenecks', value: `prefill on ${A.chip.name}: ${A.prefill?.bottleneck ?? 'unknown'}; decode on ${B.chip.name}: ${B.decode?.bottleneck ?? 'unknown'}`, inline: false },
    ],
    notes: [`Batch 1, as few chips of each kind as fit. The hand-over is assumed to run over the slower side's links, all its chips in parallel; real deployments often use a slower network.`],
    sources: dedupe([...chipSources(chips[0]).slice(0, 3), ...chipSources(chips[1]).slice(0, 3)]),
    data: d,
  });
}

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
