// The full estimate as a reply: every figure with its range, the step term by term, the deployment, sources.
import type { Catalog } from '../catalog/load.ts';
import type { Chip, Model } from '../catalog/schema.ts';
import type { Estimate } from '../core/estimate.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Field, type Reply } from '../reply/reply.ts';
import { chipSources, dedupe, modelSources } from './cite.ts';
import { measuredField, measuredPoints } from './measured.ts';

export function estimateData(e: Estimate) {
  return {
    model: e.model, chip: e.chip, chips: e.chips, weights: e.weights, kv: e.kv, batch: e.batch,
    inputTokens: e.inputTokens, outputTokens: e.outputTokens,
    fit: { fits: e.fit.fits, chipsNeeded: e.fit.chipsNeeded, reason: e.fit.reason, maxBatchAtContext: e.fit.maxBatchAtContext },
    layout: e.layout,
    deployment: e.deployment,
    serving: e.serving,
    evidence: e.evidence,
    prefill: { ttftMs: e.prefill?.ttftMs ?? null, bottleneck: e.prefill?.bottleneck ?? null, ...(e.prefill?.apiOverheadMs ? { apiOverheadMs: e.prefill.apiOverheadMs } : {}) },
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

/** "fastest per user: TP8 on 8 GPUs (8-GPU HGX H100 server)" — the layout in one line, with how it was chosen. */
export function deploymentLine(e: Estimate): string {
  const d = e.deployment;
  if (!d) return fmt.count(e.chips, e.chip.unit);
  const how = d.mode === 'fastest' ? 'fastest per user: ' : d.mode === 'system' ? 'one system: ' : d.mode === 'fewest' ? 'fewest that fit: ' : '';
  return `${how}${d.line}`;
}

/** Said when the speed rests on vendor claims alone, or on constants borrowed from another family. */
export function evidenceNote(e: Estimate): string | null {
  if (e.evidence === 'vendor claim') return `${e.chip.name}'s speed rests on vendor claims, not independent measurements (vendor claim, not independently measured).`;
  if (e.evidence === 'borrowed') return `No published measurement of ${e.chip.name} calibrates it; its efficiency is borrowed from another chip family, so treat the speed as an estimate.`;
  return null;
}

/** "As served (speculative decoding, …): X; without: Y" where the vendor serves this pair with speculative decoding. */
export function servedNote(cat: Catalog, e: Estimate): string | null {
  const s = cat.serving.servedWithSpecDecode(e.chip.id, e.model.id);
  if (!s || !e.decode || e.specDecode) return null;
  return `As served, with speculative decoding (${s.method}; draft: ${s.draft}): ${s.measured} [${s.source.url}]; without it, this model's figure: ${fmt.range(e.decode.tokensPerSecondPerUser, 'tok/s')} per user.`;
}

/** How many are served at once, and the queue when more ask than fit. */
export function servingLine(e: Estimate): string | null {
  const s = e.serving;
  if (s.requested === 'max') {
    const why = s.limitedBy === 'latency target' ? `a decode step within ${fmt.num(s.tpotTargetMs ?? 0)} ms per token` : s.limitedBy === 'engine' ? 'the serving engine’s limit on concurrent sequences' : 'KV-cache memory';
    return `${s.concurrent.toLocaleString('en-US')} sequences at once, limited by ${why}.`;
  }
  if (s.queued > 0) {
    const wait = s.queueWaitSeconds ? ` The last in line waits about ${fmt.num(s.queueWaitSeconds.expected)} s (${fmt.num(s.queueWaitSeconds.low)}–${fmt.num(s.queueWaitSeconds.high)} s) for a slot.` : '';
    return `${s.requested.toLocaleString('en-US')} users asked; ${s.concurrent.toLocaleString('en-US')} fit in KV memory at once and ${s.queued.toLocaleString('en-US')} queue (continuous batching with a paged KV cache).${wait}`;
  }
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
    { name: 'Time to first token', value: e.prefill?.ttftMs ? `${fmt.msRange(e.prefill.ttftMs)}\nbound by **${e.prefill.bottleneck}**${e.prefill.apiOverheadMs ? `\nincludes ${fmt.msRange(e.prefill.apiOverheadMs)} of API and network time` : ''}` : 'unknown (compute not published)', inline: true },
    { name: 'One decode step', value: `${fmt.msRange(e.decode.msPerToken)}: ${termsLine(e)}`, inline: false },
    { name: 'Deployment', value: `${deploymentLine(e)}; ${e.weights.toUpperCase()} weights, ${e.kv.toUpperCase()} KV; ${fmt.tokens(e.inputTokens)} in / ${fmt.tokens(e.outputTokens)} out`, inline: false },
    { name: 'Energy', value: e.energy.joulesPerToken ? `${fmt.range(e.energy.joulesPerToken, 'J/token')} at ${fmt.num(e.energy.powerW ?? 0)} W per ${u}` : 'unknown (power not published)', inline: true },
    { name: 'Cost', value: e.cost.usdPerMillionTokens ? `${fmt.range(e.cost.usdPerMillionTokens, '$/M tokens')}\n${costBasis(e)}` : 'unknown (no published price)', inline: true },
  ];
  if (e.specDecode) fields.push({ name: 'Speculative decoding', value: `${fmt.num(e.specDecode.tokensPerStep)} tokens per step → ${fmt.range(e.specDecode.speedup, '×')} per-user speed-up`, inline: false });
  return fields;
}

export function estimateReply(e: Estimate, notes: string[], chip: Chip, model: Model, cat?: Catalog): Reply {
  const title = `${e.model.name} on ${e.chips} × ${e.chip.name}`;
  const sources = dedupe([...chipSources(chip), ...modelSources(model)]);
  const data = estimateData(e);
  if (!e.decode) {
    const why = (e.fit.refused ? e.fit.reason ?? '' : `does not fit: ${e.fit.reason}`).replace(/\.$/, '');
    return answer(`${e.model.name} on ${e.chip.name}`, `No estimate — ${why}.`, { notes, sources, data });
  }
  const summary = `**${fmt.range(e.decode.tokensPerSecondPerUser, 'tok/s')} per user**, ${fmt.range(e.decode.tokensPerSecond, 'tok/s')} aggregate at batch ${e.batch.toLocaleString('en-US')}; ${e.prefill?.ttftMs ? `first token in ${fmt.msRange(e.prefill.ttftMs)}` : 'time to first token unknown'}. Decode is bound by ${e.decode.bottleneck}.`;
  const measured = cat ? measuredPoints(cat, e.model.id, e.chip.id, e.chips, e.batch) : [];
  const extra = [cat ? servedNote(cat, e) : null, servingLine(e), evidenceNote(e)].filter((x): x is string => !!x);
  const published = measuredField(e.chip.name, measured);
  return answer(title, summary, { fields: published ? [...estimateFields(e), published] : estimateFields(e), notes: [...extra, ...notes, ...e.notes], sources, data: { ...data, measured },
    warnings: ['Estimates from a roofline model fitted to a few published figures; `/sources` shows how close it comes.'] });
}
