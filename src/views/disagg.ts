// Disaggregated serving as a reply: prefill on one chip, decode on another, the KV hand-over between them.
import type { Chip, Model } from '../catalog/schema.ts';
import type { Disagg } from '../core/disagg.ts';
import type { Range } from '../core/types.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Reply } from '../reply/reply.ts';
import { chipSources, dedupe } from './cite.ts';

function row(label: string, ttft: Range | null, perUser: Range | null, request: number | null, chips: string): string[] {
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
