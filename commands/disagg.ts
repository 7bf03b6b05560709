// /disagg model prefill-chip decode-chip — prefill on one kind of chip, decode on another, the KV cache moved between.
// With a load or targets (users, ttft-ms, tok-s-user) it compares goodput: colocated A, colocated B, and the split.
import { z } from 'zod';
import { findInterconnect } from '../src/catalog/interconnects.ts';
import type { Catalog } from '../src/catalog/load.ts';
import { disaggregate } from '../src/core/disagg.ts';
import { defaultFormats } from '../src/core/formats.ts';
import { errorReply, type Reply } from '../src/reply/reply.ts';
import { priced } from '../src/views/deploy.ts';
import { disaggReply } from '../src/views/disagg.ts';
import { goodputReply, type GoodputAsk } from '../src/views/goodput.ts';
import { isReply, pickChip, pickModel } from '../src/views/scenario.ts';
import { count, type Command } from './command.ts';
import { chunkOption, contextTooLong, perUserTarget, targetOptions, TPOT_OPTION } from './deploy-options.ts';
import { tokensOption } from './scenario.ts';

/** The article's pairing: Rubin prefill, Groq 3 LPX decode, on Kimi K2 (about a trillion parameters). */
export const PRESETS = { 'rubin-lpx': { model: 'kimi-k2', 'prefill-chip': 'rubin', 'decode-chip': 'groq-3-lpu', users: 1000, 'ttft-ms': 1000, 'tok-s-user': 100 } } as const;

const Input = z.object({
  model: z.string().min(1).optional(),
  'prefill-chip': z.string().min(1).optional(),
  'decode-chip': z.string().min(1).optional(),
  input: tokensOption('input').optional(),
  output: count('output', 10_000_000).optional(),
  ...targetOptions,
  link: z.string().min(1).optional(),
  chunk: chunkOption,
  preset: z.enum(Object.keys(PRESETS) as [keyof typeof PRESETS], { message: `preset is one of ${Object.keys(PRESETS).join(', ')}` }).optional(),
});
type Input = z.infer<typeof Input>;

export const DISAGG_INPUT = 8192;
export const DISAGG_OUTPUT = 512;
export const GOODPUT_DEFAULTS = { users: 1000, ttftMs: 1000, perUser: 50 };

export const disaggCommand: Command<Input> = {
  name: 'disagg',
  description: 'Disaggregated serving: prefill on one chip, decode on another; goodput against colocated',
  options: [
    { name: 'model', description: 'Model, e.g. llama-3.1-70b', type: 'string', required: false, autocomplete: 'model' },
    { name: 'prefill-chip', description: 'Chip for prefill, e.g. b200', type: 'string', required: false, autocomplete: 'chip' },
    { name: 'decode-chip', description: 'Chip for decode, e.g. groq', type: 'string', required: false, autocomplete: 'chip' },
    { name: 'input', description: `Prompt tokens (default ${DISAGG_INPUT})`, type: 'integer' },
    { name: 'output', description: `Output tokens (default ${DISAGG_OUTPUT})`, type: 'integer' },
    { name: 'users', description: `Concurrent users: compare goodput at this load (default ${GOODPUT_DEFAULTS.users})`, type: 'integer' },
    { name: 'ttft-ms', description: `First-token target, ms (default ${GOODPUT_DEFAULTS.ttftMs})`, type: 'integer' },
    { name: 'tok-s-user', description: `Tokens/s per user target (default ${GOODPUT_DEFAULTS.perUser})`, type: 'integer' },
    TPOT_OPTION,
    { name: 'link', description: 'Link for the KV hand-over (an interconnect id, or ib / roce / ethernet / nvlink)', type: 'string', autocomplete: 'link' },
    { name: 'chunk', description: 'Chunked prefill on the colocated side: prompt tokens per step', type: 'integer' },
    { name: 'preset', description: 'rubin-lpx: the article’s pairing (Kimi K2, Rubin prefill, Groq 3 LPX decode; the default)', type: 'string', choices: Object.keys(PRESETS).map((p) => ({ name: p, value: p })) },
  ],
  input: Input,
  run(raw, ctx) {
    // nothing named: the article's pairing
    const preset = raw.preset ?? (!raw.model && !raw['prefill-chip'] && !raw['decode-chip'] ? 'rubin-lpx' : undefined);
    const o: Input = preset ? { ...PRESETS[preset], ...raw, preset } : raw;
    if (!o.model) return errorReply('Which model? e.g. `/disagg llama-3.1-70b b200 groq`, or `preset:rubin-lpx`.');
    if (!o['prefill-chip'] || !o['decode-chip']) return errorReply('Name a prefill chip and a decode chip, e.g. `/disagg llama-3.1-70b b200 groq`.');
    const m = pickModel(ctx.catalog, o.model);
    if (isReply(m)) return m;
    const a = pickChip(ctx.catalog, o['prefill-chip']);
    if (isReply(a)) return a;
    const b = pickChip(ctx.catalog, o['decode-chip']);
    if (isReply(b)) return b;
    if (a.item.id === b.item.id) return errorReply(`Both sides are ${a.item.name}; that is ordinary serving.`, 'Try `/estimate` for one chip, or pick two kinds, e.g. `/disagg llama-70b b200 groq`.');
    const input = o.input ?? DISAGG_INPUT, output = o.output ?? DISAGG_OUTPUT;
    const sideNotes = [a.note, b.note].filter((n): n is string => !!n);
    const wantsGoodput = o.users !== undefined || o['ttft-ms'] !== undefined || o['tok-s-user'] !== undefined || o['tpot-ms'] !== undefined || o.link !== undefined || o.chunk !== undefined || o.preset !== undefined;
    if (wantsGoodput) {
      if (input + output > m.item.maxContext) return contextTooLong(m.item.name, m.item.maxContext, input + output);
      const perUser = perUserTarget(o, GOODPUT_DEFAULTS.perUser);
      if (isReply(perUser)) return perUser;
      const link = chooseLink(ctx.catalog, o.link);
      if (isReply(link)) return link;
      const ask: GoodputAsk = {
        model: m.item, a: priced(ctx.catalog, a.item), b: priced(ctx.catalog, b.item), inputTokens: input, outputTokens: output,
        targets: { ttftMs: o['ttft-ms'] ?? GOODPUT_DEFAULTS.ttftMs, perUser },
        users: o.users ?? GOODPUT_DEFAULTS.users, chunkTokens: o.chunk || null, link,
      };
      const reply = goodputReply(ctx.catalog, ask);
      reply.notes.unshift(...sideNotes);
      return reply;
    }
    const fa = defaultFormats(a.item, undefined, m.item), fb = defaultFormats(b.item, undefined, m.item);
    const d = disaggregate({
      model: m.item, kv: fb.kv, inputTokens: input, outputTokens: output, batch: 1, reserveFraction: ctx.catalog.efficiency.runtimeReserve.fraction,
      prefill: { chip: a.item, family: ctx.catalog.family(a.item), weights: fa.weights, chips: 'auto' },
      decode: { chip: b.item, family: ctx.catalog.family(b.item), weights: fb.weights, chips: 'auto' },
    });
    const reply = disaggReply(d, m.item, input, output, [a.item, b.item]);
    reply.notes.unshift(...sideNotes, `KV cache in ${fb.kv.toUpperCase()}; each side in its usual weight format (${fa.weights.toUpperCase()} / ${fb.weights.toUpperCase()}). Add \`users\`, \`ttft-ms\` and \`tok-s-user\` to compare goodput with colocated serving.`);
    return reply;
  },
};

/** The link the KV crosses: the one asked for; else a scale-out network with a published bandwidth (RoCE, InfiniBand, then Ethernet). */
export function chooseLink(cat: Catalog, asked?: string): GoodputAsk['link'] | Reply {
  const list = cat.interconnects;
  if (asked) {
    if (!list.length) return errorReply(`I have no interconnect data loaded, so I cannot use the link "${asked}".`, 'Leave `link` out: the answer then says the link speed is unknown.');
    const ic = findInterconnect(list, asked);
    if (!ic) return errorReply(`I don't know a link called "${asked}".`, `Links: ${list.map((i) => `\`${i.id}\``).join(', ')}.`);
    return { ic, why: 'as asked' };
  }
  if (!list.length) return null;
  // two kinds of chip sit in different systems: the hand-over crosses the scale-out network between them
  const known = list.filter((i) => i.bandwidthGBs);
  const net = known.find((i) => i.kind === 'roce') ?? known.find((i) => i.kind === 'infiniband') ?? known.find((i) => i.kind === 'ethernet');
  return net ? { ic: net, why: `assumed: a scale-out ${net.kind === 'infiniband' ? 'InfiniBand' : net.kind === 'roce' ? 'RoCE' : 'Ethernet'} network between the two pools; choose with \`link\`` } : null;
}
