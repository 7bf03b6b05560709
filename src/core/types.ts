import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';
import type { DeploymentMode, Layout } from './layout.ts';

/** Every performance figure: low ≤ expected ≤ high, from the spread of the efficiency constants. */
export interface Range { low: number; expected: number; high: number }

export type Bottleneck = 'memory bandwidth' | 'compute' | 'interconnect' | 'latency floor';

export interface SpecDecode {
  /** 'draft' = a separate small model proposes tokens; 'mtp' = the model's own multi-token-prediction head */
  method: 'draft' | 'mtp';
  draftModel?: Model;
  /** tokens proposed per verification step */
  draftLength: number;
  /** probability that each proposed token is accepted */
  acceptance: number;
}

export interface Scenario {
  model: Model;
  chip: Chip;
  family: Family;
  weights: NumberFormat;
  kv: NumberFormat;
  inputTokens: number;
  outputTokens: number;
  /** concurrent sequences, or the largest that fits */
  batch: number | 'max';
  /** chips to use, or as few as fit */
  chips: number | 'auto';
  /** fraction of each memory tier kept back for runtime and activations */
  reserveFraction: number;
  specDecode?: SpecDecode;
  /** with no chip count: fastest per user within standard systems (default), one system for throughput, or fewest chips */
  mode?: DeploymentMode;
  /** force a layout (sweeps, published deployments) */
  layout?: Partial<Layout>;
  /** `batch: 'max'` stops where a decode step would exceed this many ms; null = no latency bound (offline) */
  tpotTargetMs?: number | null;
  /** the serving engine's cap on concurrent sequences per replica */
  engineMaxBatch?: number;
  /** add the network and API time a client sees through a public API to the time to first token (off by default) */
  apiOverheadMs?: Range;
  /** disaggregated serving: prompts are prefilled on other chips and their KV handed over, so these chips only decode
   *  and no user's step carries another's prefill (the time to first token stays that of a prefill on this chip) */
  prefillElsewhere?: boolean;
  /** the mean context a decode step attends to, when the prompts and outputs vary in length: in-flight sequences are
   *  a length-biased sample (a long answer stays in the batch longer), so this exceeds input + output/2. Default: the
   *  lengths as given, all alike. */
  decodeContextTokens?: number;
}

/** Which constants to use: the pessimistic end, the fitted value, or the optimistic end. */
export type Case = 'low' | 'expected' | 'high';
