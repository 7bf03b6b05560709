// /estimate model chip [chips] [weights] [batch] [input] [output] — the full estimate, every figure with its range.
import { z } from 'zod';
import type { Model } from '../src/catalog/schema.ts';
import { estimate, type Estimate } from '../src/core/estimate.ts';
import type { SpecDecode } from '../src/core/types.ts';
import * as fmt from '../src/reply/format.ts';
import { answer, errorReply, type Field, type Reply } from '../src/reply/reply.ts';
import { count, type Command, type Context } from './command.ts';
import { chipSources, dedupe, modelSources } from './cite.ts';
import { batchOption, buildScenario, FORMAT_CHOICES, formatOption, isReply, pickModel, tokensOption } from './scenario.ts';

export const DEFAULT_INPUT = 1024;
export const DEFAULT_OUTPUT = 1024;

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
});
type Input = z.infer<typeof Input>;

export const estimateCommand: Command<Input> = {
  name: 'estimate',
  description: 'Full estimate: time to first token, decode speed, energy and cost, with ranges',
  options: [
    { name: 'model', description: 'Model, e.g. llama-3.1-70b', type: 'string', required: true, autocomplete: 'model' },
    { name: 'chip', description: 'Chip or vendor, e.g. b200, groq', type: 'string', required: true, autocomplete: 'chip' },
    { name: 'chips', description: 'Chips to use (default: as few as fit)', type: 'integer' },
    { name: 'weights', description: 'Weight format (default: the chip’s usual one)', type: 'string', choices: FORMAT_CHOICES },
    { name: 'batch', description: 'Concurrent sequences, or "max" (default 1)', type: 'string' },
    { name: 'input', description: `Prompt tokens (default ${DEFAULT_INPUT})`, type: 'integer' },
    { name: 'output', description: `Output tokens (default ${DEFAULT_OUTPUT})`, type: 'integer' },
  ],
  input: Input,
  run(o, ctx) {
    const spec = o['spec-decode'] ? parseSpecDecode(o['spec-decode'], ctx) : undefined;
    if (isReply(spec)) return spec;
    const built = buildScenario(ctx.catalog, { ...o, specDecode: spec }, { input: DEFAULT_INPUT, output: DEFAULT_OUTPUT });
    if (isReply(built)) return built;
    const e = estimate(built.scenario);
    return estimateReply(e, built.notes, built.scenario.chip, built.scenario.model);
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

export function estimateData(e: Estimate) {
  return {
    model: e.model, chip: e.chip, chips: e.chips, weights: e.weights, kv: e.kv, batch: e.batch,
    inputTokens: e.inputTokens, outputTokens: e.outputTokens,
    fit: { fits: e.fit.fits, chipsNeeded: e.fit.chipsNeeded, reason: e.fit.reason, maxBatchAtContext: e.fit.maxBatchAtContext },
    layout: e.layout,
    prefill: { ttftMs: e.prefill?.ttftMs ?? null, bottleneck: e.prefill?.bottleneck ?? null },
    decode: e.decode
      ? { tokensPerSecondPerUser: e.decode.tokensPerSecondPerUser, tokensPerSecond: e.decode.tokensPerSecond, msPerToken: e.decode.msPerToken, bottleneck: e.decode.bottleneck, termsMs: e.decode.termsMs }
      : null,
    specDecode: e.specDecode,
    energy: { joulesPerToken: e.energy.joulesPerToken, powerW: e.energy.powerW },
    cost: { usdPerMillionTokens: e.cost.usdPerMillionTokens, basis: costBasis(e), usdPerChipHour: e.cost.usdPerChipHour },
    notes: e.notes,
  };
}

export function costBasis(e: Estimate): string | null {
  const u = e.chip.unit;
  if (e.cost.basis === 'rental') return `rental at $${(e.cost.usdPerChipHour ?? 0).toFixed(2)} per ${u}-hour`;
  if (e.cost.basis === 'purchase') return `purchase price $${Math.round(e.cost.purchaseUsd ?? 0).toLocaleString('en-US')} per ${u} over 4 years, power and hosting excluded`;
  return null;
}

/** The decode step, term by term, as a person would read it. */
export function termsLine(e: Estimate): string {
  if (!e.decode) return '';
  const t = e.decode.termsMs;
  return `memory ${fmt.ms(t.memory)} · compute ${fmt.ms(t.compute)} · links ${fmt.ms(t.interconnect)} · per-layer floor ${fmt.ms(t.latencyFloor)}`;
}

export function estimateFields(e: Estimate): Field[] {
  if (!e.decode) return [];
  const u = e.chip.unit;
  const fields: Field[] = [
    { name: 'Per user (decode)', value: `${fmt.range(e.decode.tokensPerSecondPerUser, 'tok/s')}\nbound by **${e.decode.bottleneck}**`, inline: true },
    { name: `Aggregate at batch ${e.batch.toLocaleString('en-US')}`, value: fmt.range(e.decode.tokensPerSecond, 'tok/s'), inline: true },
    { name: 'Time to first token', value: e.prefill?.ttftMs ? `${fmt.msRange(e.prefill.ttftMs)}\nbound by **${e.prefill.bottleneck}**` : 'unknown (compute not published)', inline: true },
    { name: 'One decode step', value: `${fmt.msRange(e.decode.msPerToken)}: ${termsLine(e)}`, inline: false },
    { name: 'Deployment', value: `${fmt.count(e.chips, u)}${e.layout && e.layout.pipelineStages > 1 ? `: ${e.layout.tensorParallel}-way tensor parallel × ${e.layout.pipelineStages} pipeline stages` : e.layout && e.layout.tensorParallel > 1 ? `, ${e.layout.tensorParallel}-way tensor parallel` : ''}; ${e.weights.toUpperCase()} weights, ${e.kv.toUpperCase()} KV; ${fmt.tokens(e.inputTokens)} in / ${fmt.tokens(e.outputTokens)} out`, inline: false },
    { name: 'Energy', value: e.energy.joulesPerToken ? `${fmt.range(e.energy.joulesPerToken, 'J/token')} at ${fmt.num(e.energy.powerW ?? 0)} W per ${u}` : 'unknown (power not published)', inline: true },
    { name: 'Cost', value: e.cost.usdPerMillionTokens ? `${fmt.range(e.cost.usdPerMillionTokens, '$/M tokens')}\n${costBasis(e)}` : 'unknown (no published price)', inline: true },
  ];
  if (e.specDecode) fields.push({ name: 'Speculative decoding', value: `${fmt.num(e.specDecode.tokensPerStep)} tokens per step → ${fmt.range(e.specDecode.speedup, '×')} per-user speed-up`, inline: false });
  return fields;
}

function estimateReply(e: Estimate, notes: string[], chip: import('../src/catalog/schema.ts').Chip, model: Model): Reply {
  const title = `${e.model.name} on ${e.chips} × ${e.chip.name}`;
  const sources = dedupe([...chipSources(chip), ...modelSources(model)]);
  const data = estimateData(e);
  if (!e.decode) {
    const why = (e.fit.refused ? e.fit.reason ?? '' : `does not fit: ${e.fit.reason}`).replace(/\.$/, '');
    return answer(`${e.model.name} on ${e.chip.name}`, `No estimate — ${why}.`, { notes, sources, data });
  }
  const summary = `**${fmt.range(e.decode.tokensPerSecondPerUser, 'tok/s')} per user**, ${fmt.range(e.decode.tokensPerSecond, 'tok/s')} aggregate at batch ${e.batch.toLocaleString('en-US')}; ${e.prefill?.ttftMs ? `first token in ${fmt.msRange(e.prefill.ttftMs)}` : 'time to first token unknown'}. Decode is bound by ${e.decode.bottleneck}.`;
  return answer(title, summary, { fields: estimateFields(e), notes: [...notes, ...e.notes], sources, data,
    warnings: ['Estimates from a roofline model fitted to a few published figures; `/sources` shows how close it comes.'] });
}
