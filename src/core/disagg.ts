// Disaggregated serving: prefill on one kind of chip, decode on another, the KV cache moved between them.
import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';
import { kvBytesForContext, stateBytesPerSequence } from './architecture.ts';
import { estimate, range, type Estimate } from './estimate.ts';
import { kvBytesPerElement } from './formats.ts';
import type { Range } from './types.ts';

export interface Side { chip: Chip; family: Family; weights: NumberFormat; chips: number | 'auto' }

export interface DisaggInput {
  model: Model;
  prefill: Side;
  decode: Side;
  kv: NumberFormat;
  inputTokens: number;
  outputTokens: number;
  batch: number;
  reserveFraction: number;
}

export interface Disagg {
  prefillOn: Estimate;
  decodeOn: Estimate;
  /** bytes of KV cache (or, for a state-space model, recurrent state) one prompt hands over */
  kvBytes: number;
  /** GB/s assumed for the hand-over: the slower side's links, all chips of that side in parallel */
  transferGBs: number | null;
  kvTransferMs: Range | null;
  /** prefill on A + KV transfer + first decode step on B */
  ttftMs: Range | null;
  tokensPerSecondPerUser: Range | null;
  /** one request end to end: TTFT + output tokens at the decode side's speed */
  requestSeconds: Range | null;
  ok: boolean;
  reason?: string;
}

export function disaggregate(d: DisaggInput): Disagg {
  const run = (s: Side) => estimate({ model: d.model, chip: s.chip, family: s.family, weights: s.weights, kv: d.kv,
    inputTokens: d.inputTokens, outputTokens: d.outputTokens, batch: d.batch, chips: s.chips, reserveFraction: d.reserveFraction });
  const a = run(d.prefill), b = run(d.decode);
  const elem = kvBytesPerElement(d.kv);
  const kvBytes = kvBytesForContext(d.model, elem, d.inputTokens) + stateBytesPerSequence(d.model, elem);
  const sideGBs = (e: Estimate, chip: Chip) => (chip.link.bandwidthGBs ? chip.link.bandwidthGBs.value * e.chips : null);
  const sides = [sideGBs(a, d.prefill.chip), sideGBs(b, d.decode.chip)].filter((x): x is number => x !== null);
  const transferGBs = sides.length ? Math.min(...sides) : null;
  const base = { prefillOn: a, decodeOn: b, kvBytes, transferGBs };
  if (!a.fit.fits || !b.fit.fits) {
    const which = !a.fit.fits ? `prefill side (${d.prefill.chip.name}): ${a.fit.reason}` : `decode side (${d.decode.chip.name}): ${b.fit.reason}`;
    return { ...base, kvTransferMs: null, ttftMs: null, tokensPerSecondPerUser: null, requestSeconds: null, ok: false, reason: which };
  }
  const transferMs = transferGBs ? (kvBytes / (transferGBs * 1e9)) * 1e3 : null;
  const kvTransferMs = transferMs === null ? null : range([transferMs, transferMs, transferMs]);
  const pre = a.prefill?.ttftMs ?? null, step = b.decode!.msPerToken;
  const ttftMs = pre && transferMs !== null
    ? range([pre.low + transferMs + step.low, pre.expected + transferMs + step.expected, pre.high + transferMs + step.high])
    : null;
  const requestSeconds = ttftMs
    ? range([(ttftMs.low + d.outputTokens * step.low) / 1e3, (ttftMs.expected + d.outputTokens * step.expected) / 1e3, (ttftMs.high + d.outputTokens * step.high) / 1e3])
    : null;
  return { ...base, kvTransferMs, ttftMs, tokensPerSecondPerUser: b.decode!.tokensPerSecondPerUser, requestSeconds, ok: true };
}
