// /fit model chip [weights] [context] [batch] — does it fit, on how many chips, which tier, and how much room is left.
import { z } from 'zod';
import { fit, type FitResult } from '../src/core/fit.ts';
import { paramCounts, stepFacts } from '../src/core/architecture.ts';
import { attentionKeptWide, bytesPerParam, expertsOnly, formatInfo } from '../src/core/formats.ts';
import * as fmt from '../src/reply/format.ts';
import { answer, type Reply } from '../src/reply/reply.ts';
import type { Command } from './command.ts';
import { chipSources, dedupe, kindLabel, modelSources } from '../src/views/cite.ts';
import { buildScenario, isReply } from '../src/views/scenario.ts';
import { batchOption, FORMAT_CHOICES, formatOption, tokensOption } from './scenario.ts';
import { count } from './command.ts';

const Input = z.object({
  model: z.string().min(1),
  chip: z.string().min(1),
  weights: formatOption.optional(),
  kv: formatOption.optional(),
  context: tokensOption('context').optional(),
  batch: batchOption.optional(),
  chips: count('chips', 100_000).optional(),
});
type Input = z.infer<typeof Input>;

export const fitCommand: Command<Input> = {
  name: 'fit',
  description: 'Does a model fit on a chip, on how many, with how much room for context?',
  options: [
    { name: 'model', description: 'Model, e.g. llama-3.1-70b', type: 'string', required: true, autocomplete: 'model' },
    { name: 'chip', description: 'Chip or vendor, e.g. h100, cerebras', type: 'string', required: true, autocomplete: 'chip' },
    { name: 'weights', description: 'Weight format (default: the chip’s usual one, or the model’s narrower release)', type: 'string', choices: FORMAT_CHOICES },
    { name: 'kv', description: 'KV-cache format (default: the chip’s usual one)', type: 'string', choices: FORMAT_CHOICES },
    { name: 'context', description: 'Tokens of context per sequence (default 8K)', type: 'integer' },
    { name: 'batch', description: 'Concurrent sequences (default 1)', type: 'integer' },
    { name: 'chips', description: 'Chips to use (default: as few as fit)', type: 'integer' },
  ],
  input: Input,
  run(o, ctx) {
    const built = buildScenario(ctx.catalog, { ...o, input: o.context, output: 0 }, { input: 0, output: 0 });
    if (isReply(built)) return built;
    const sc = built.scenario;
    const context = o.context ?? Math.min(sc.model.maxContext, 8192);
    const r = fit({ model: sc.model, chip: sc.chip, weights: sc.weights, kv: sc.kv, contextTokens: context,
      batch: sc.batch, chips: sc.chips, reserveFraction: sc.reserveFraction });
    return fitReply(r, sc, built.notes, ctx.catalog.efficiency.runtimeReserve.fraction);
  },
};

type Sc = import('../src/core/types.ts').Scenario;

export function fitData(r: FitResult, sc: Sc) {
  return {
    model: { id: sc.model.id, name: sc.model.name }, chip: { id: sc.chip.id, name: sc.chip.name },
    weights: sc.weights, kv: sc.kv, fits: r.fits, chipsNeeded: r.chipsNeeded, chips: r.chips, reason: r.reason,
    weightsBytes: r.weightsBytes, kvBytesPerToken: r.kvBytesPerToken, kvBytesPerSequence: r.kvBytesPerSequence,
    contextTokens: r.contextTokens, batch: r.batch, maxBatchAtContext: r.maxBatchAtContext ?? undefined,
    maxContextAtBatch1: r.maxContextAtBatch1 ?? undefined, chipsForFastestTier: r.chipsForFastestTier,
    usableBytesPerChip: r.usableBytesPerChip,
    tiers: r.tiers.map((t) => ({ tier: t.tier.label, weightsBytes: t.weightsBytes, kvBytes: t.kvBytes })),
  };
}

function fitReply(r: FitResult, sc: Sc, notes: string[], reserve: number): Reply {
  const { model, chip } = sc;
  const unit = chip.unit;
  const title = `${model.name} on ${chip.name}`;
  const data = fitData(r, sc);
  const sources = dedupe([...chipSources(chip), ...modelSources(model)]);
  if (r.refused) return answer(title, `No — ${r.reason}`, { data, notes, sources });

  const p = paramCounts(model);
  const hardwired = chip.runs.kind === 'hardwired';
  const fmtLabel = chip.runs.kind === 'hardwired' ? chip.runs.format : formatInfo(sc.weights, chip, sc.model).label;
  const ctx = fmt.tokens(r.contextTokens);
  const per = fmt.num(bytesPerParam(sc.weights, chip, model), 3);
  const wide = attentionKeptWide(sc.weights, chip, model);
  const attn = stepFacts(model).attnMatmul;
  const fields = [
    { name: 'Weights', value: expertsOnly(sc.weights, chip, model)
      ? `${fmt.bytes(r.weightsBytes)} — ${fmt.num(p.expert / 1e9)}B expert params × ${per} B (${fmtLabel}) + ${fmt.num(p.nonExpert / 1e9)}B others × 2 B (BF16, as released)`
      : wide
      ? `${fmt.bytes(r.weightsBytes)} — ${fmt.num((p.total - attn) / 1e9)}B params × ${per} B (${fmtLabel}) + ${fmt.num(attn / 1e9)}B attention params × ${fmt.num(bytesPerParam(wide), 3)} B (${wide.toUpperCase()}, as the vendor's FP4 checkpoint keeps them)`
      : `${fmt.bytes(r.weightsBytes)} — ${fmt.num(p.total / 1e9)}B params × ${per} B (${fmtLabel})`, inline: false },
    { name: 'KV cache', value: kvLine(r, sc), inline: false },
  ];
  const tierText = chip.memory.map((t) => `${t.label}: ${t.capacityGB ? fmt.bytes(t.capacityGB.value * 1e9) : 'capacity not published'}${t.bandwidthGBs ? ` @ ${fmt.num(t.bandwidthGBs.value / 1000)} TB/s` : ''}${t.servesInference ? '' : ' (not used for serving)'} [${kindLabel(t.capacityGB)}]`).join('\n');
  fields.push({ name: `Memory per ${unit}`, value: `${tierText}\n${Math.round(reserve * 100)}% of each tier kept for runtime and activations`, inline: false });
  if (r.tiers.length) {
    fields.push({ name: 'Where it lives', value: r.tiers.map((t) => `${t.tier.label}: ${t.weightsBytes ? `${fmt.bytes(t.weightsBytes)} weights` : ''}${t.weightsBytes && t.kvBytes ? ' + ' : ''}${t.kvBytes ? `${fmt.bytes(t.kvBytes)} KV` : ''}`).join('\n'), inline: false });
  }

  let summary: string;
  if (!r.fits) {
    summary = `Does not fit: ${r.reason}.`;
  } else if (hardwired) {
    summary = `Runs on **1 ${unit}**: the weights are hard-wired (${fmtLabel}); the KV cache lives in on-chip SRAM.`;
  } else {
    const n = r.chips;
    summary = `Fits on **${fmt.count(n, unit)}** at ${sc.weights.toUpperCase()}: ${fmt.bytes(r.weightsBytes)} of weights + ${fmt.bytes(r.kvBytesPerSequence * r.batch)} of KV (${r.batch} × ${ctx} tokens) in ${fmt.bytes((r.usableBytesPerChip ?? 0) * n)} usable.`;
    if (r.chipsNeeded && r.usableBytesPerChip) {
      const need = (hardwired ? 0 : r.weightsBytes) + r.batch * r.kvBytesPerSequence;
      fields.push({ name: 'Why that many', value: `${fmt.bytes(need)} needed ÷ ${fmt.bytes(r.usableBytesPerChip)} usable per ${unit} = ${fmt.num(need / r.usableBytesPerChip)} → ${fmt.count(r.chipsNeeded, unit)}`, inline: false });
    }
    if (r.chipsForFastestTier && r.chipsNeeded && r.chipsForFastestTier > r.chipsNeeded) {
      notes.push(`To hold everything in ${chip.memory[0].label} (the fast tier) takes ${fmt.count(r.chipsForFastestTier, unit)}; with fewer, weights spill to a slower tier.`);
    }
  }
  if (r.fits && r.maxBatchAtContext !== null) {
    fields.push({ name: `Room left on ${fmt.count(r.chips, unit)}`, value: `up to **${r.maxBatchAtContext.toLocaleString('en-US')}** sequences of ${ctx} tokens, or one sequence of ${fmt.tokens(Math.min(r.maxContextAtBatch1 ?? 0, model.maxContext))} tokens (model max ${fmt.tokens(model.maxContext)})`, inline: false });
  } else if (r.fits) {
    fields.push({ name: 'Room left', value: 'unknown: the on-chip memory that holds the KV cache is not published', inline: false });
  }
  return answer(title, summary, { fields, notes, data, sources });
}

function kvLine(r: FitResult, sc: Sc): string {
  const m = sc.model;
  if (m.architecture === 'ssm') return `none — a state-space model keeps a fixed ${fmt.bytes(r.kvBytesPerSequence)} state per sequence`;
  const how = m.attention.kind === 'mla'
    ? `MLA latent ${m.attention.kvLoraRank}+${m.attention.qkRopeHeadDim} per layer × ${m.layers} layers`
    : `${m.kvHeads} KV heads × ${m.headDim} dims × 2 (K,V) × ${m.layers - (m.localAttention?.layerCount ?? 0)} full-attention layers`;
  const local = m.localAttention ? `; ${m.localAttention.layerCount} ${m.localAttention.kind}-window layers capped at ${fmt.tokens(m.localAttention.window)} tokens` : '';
  return `${fmt.kib(r.kvBytesPerToken)}/token at ${sc.kv.toUpperCase()} (${how}${local}) → ${fmt.bytes(r.kvBytesPerSequence)} per ${fmt.tokens(r.contextTokens)}-token sequence`;
}
