// Serving, not just a batch: one colocated instance at steady state with prefill interference, and the KV hand-over
// of disaggregated serving. Pure arithmetic on the core's step and prefill times.
//
// Colocated, at a concurrency of B sequences (continuous batching keeps every slot busy): each decode step emits B
// tokens, and B / out of the sequences finish per step and are replaced by new ones whose prompts must be prefilled
// on the same chips. Time balance per second: λ·P (prefill) + (λ·out / B)·s (decode steps) = 1, so
//   λ = B / (B·P + out·s)                       requests per second per instance
//   TPOT = s + B·P / out                         a decode step stretched by the prefill scheduled into it
//   ρ = λ·P                                      the share of time the instance spends prefilling
//   TTFT = P + s + ρ·P / (2(1 − ρ))              prefill, the first step, and the M/D/1 wait for the prefill slot
//   worst gap between two tokens = s + P         (unchunked: a whole prompt is prefilled between two steps)
// Chunked prefill (chunk C tokens): the prompt rides k = ⌈in / C⌉ decode steps, sharing their weight read, so its
// cost is P' = max(P − s₁, 0) (s₁ = the batch-1 step, the weight read); TTFT = k·s + P' + wait; worst gap s + P'/k.
import type { Model, NumberFormat } from '../catalog/schema.ts';
import { kvBytesForContext, stateBytesPerSequence } from './architecture.ts';
import { kvBytesPerElement } from './formats.ts';
import type { Cases, Evaluation } from './sweep.ts';

export interface ServingOptions {
  /** chunked prefill with this many prompt tokens per step, or null for whole-prompt prefill */
  chunkTokens: number | null;
}

export interface Serving {
  /** requests per second one instance serves at full occupancy */
  requestsPerSecond: Cases;
  /** output tokens per second one instance emits */
  tokensPerSecond: Cases;
  /** mean tokens per second a user sees while decoding, prefill interference included */
  perUser: Cases;
  tpotSeconds: Cases;
  /** null when the chip's compute is unpublished (prefill then left out of the throughput) */
  ttftSeconds: Cases | null;
  worstGapSeconds: Cases | null;
  prefillShare: Cases;
}

const map3 = (f: (i: 0 | 1 | 2) => number): Cases => [f(0), f(1), f(2)];

export function colocatedServing(ev: Evaluation, inputTokens: number, outputTokens: number, opts: ServingOptions): Serving {
  const B = ev.config.batch, out = outputTokens;
  const known = ev.prefillSeconds !== null;
  const k = opts.chunkTokens && inputTokens > 0 ? Math.ceil(inputTokens / opts.chunkTokens) : 1;
  const P = map3((i) => ev.prefillSeconds?.[i] ?? 0);
  const Peff = opts.chunkTokens ? map3((i) => Math.max(P[i] - ev.step1Seconds[i], 0)) : P;
  const s = ev.stepSeconds;
  const lambda = map3((i) => B / (B * Peff[i] + out * s[i]));
  const rho = map3((i) => lambda[i] * Peff[i]);
  const tpot = map3((i) => s[i] + (B * Peff[i]) / out);
  const wait = map3((i) => (rho[i] * Peff[i]) / (2 * (1 - rho[i])));
  const ttft = known ? map3((i) => (opts.chunkTokens ? k * s[i] + Peff[i] : P[i] + s[i]) + wait[i]) : null;
  const gap = known ? map3((i) => s[i] + Peff[i] / k) : null;
  return {
    requestsPerSecond: lambda, tokensPerSecond: map3((i) => lambda[i] * out), perUser: map3((i) => 1 / tpot[i]),
    tpotSeconds: tpot, ttftSeconds: ttft, worstGapSeconds: gap, prefillShare: rho,
  };
}

/** A link the KV cache crosses: bandwidth per chip port (GB/s, one direction) and a fixed latency per transfer. */
export interface Link { bandwidthGBs: number; latencyUs: number }

/** Bytes of KV cache (or recurrent state) one prompt of `inputTokens` hands from prefill to decode. */
export function kvHandoverBytes(model: Model, kv: NumberFormat, inputTokens: number): number {
  const elem = kvBytesPerElement(kv);
  return kvBytesForContext(model, elem, inputTokens) + stateBytesPerSequence(model, elem);
}

/** Seconds to move `bytes` over `lanes` ports of `link` in parallel, plus the link's latency. */
export function kvTransferSeconds(bytes: number, link: Link, lanes: number): number {
  return link.latencyUs * 1e-6 + bytes / (link.bandwidthGBs * 1e9 * Math.max(1, lanes));
}

/** M/D/1 mean wait for a server of utilisation ρ and service time T. */
export function md1Wait(rho: number, T: number): number {
  return rho >= 1 ? Infinity : (rho * T) / (2 * (1 - rho));
}

/** Largest utilisation whose M/D/1 wait stays within `slack` for service time T (0 when there is no slack). */
export function maxUtilisation(slack: number, T: number): number {
  if (slack <= 0) return 0;
  if (T <= 0) return 1;
  const q = slack / T;
  return (2 * q) / (1 + 2 * q);
}
