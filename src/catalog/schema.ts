// zod schemas for everything in data/. A broken entry fails at load with file, entry and field named.
import { z } from 'zod';

/** Where a figure comes from. `vendor` = vendor claim; `independent` = third-party measurement;
 *  `secondary` = a wiki/aggregator/press figure not traced to a primary document; `derived` = arithmetic on sourced values. */
export const FigureKind = z.enum(['vendor', 'independent', 'secondary', 'derived']);
export type FigureKind = z.infer<typeof FigureKind>;

export const Source = z.object({
  url: z.string().min(4),
  date: z.string().min(4), // "2024-08-27", "2024-02", or "undated (snapshot 2026)"
  title: z.string().optional(),
});
export type Source = z.infer<typeof Source>;

const Alternative = z.object({
  value: z.number(),
  sources: z.array(z.string()).min(1),
  kind: FigureKind,
  note: z.string().optional(),
});

/** A sourced number. `sources` are keys into the file's `sources` map. Conflicting figures are kept in
 *  `alternatives`; `value` is the one chosen. */
export const Figure = z.object({
  value: z.number(),
  sources: z.array(z.string()).min(1),
  kind: FigureKind,
  note: z.string().optional(),
  alternatives: z.array(Alternative).optional(),
});
export type Figure = z.infer<typeof Figure>;

/** A figure that may be unknown: `null` means "not published / not found". */
const MaybeFigure = Figure.nullable();

export const NumberFormat = z.enum(['fp32', 'bf16', 'fp16', 'fp8', 'int8', 'fp6', 'fp4', 'int4', 'int3']);
export type NumberFormat = z.infer<typeof NumberFormat>;

export const MemoryTier = z.object({
  kind: z.enum(['sram', 'hbm', 'lpddr', 'ddr', 'gddr', 'rom']),
  /** what a person would call it: "HBM3e", "on-wafer SRAM", "LPDDR5X" */
  label: z.string(),
  capacityGB: MaybeFigure,
  bandwidthGBs: MaybeFigure,
  /** false for a tier the chip cannot serve weights or KV from at inference speed (e.g. Cerebras MemoryX) */
  servesInference: z.boolean().default(true),
  note: z.string().optional(),
});
export type MemoryTier = z.infer<typeof MemoryTier>;

export const Runs = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('any') }),
  z.object({ kind: z.literal('transformers') }),
  z.object({ kind: z.literal('hardwired'), model: z.string(), format: z.string(), bitsPerParam: z.number() }),
]);
export type Runs = z.infer<typeof Runs>;

export const Chip = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  name: z.string(),
  vendor: z.string(),
  /** key into data/efficiency.json */
  family: z.string(),
  /** what one unit is called in answers: "GPU", "wafer", "chip", "card" */
  unit: z.string(),
  aliases: z.array(z.string()).default([]),
  /** when a bare vendor name is typed, the chip with the highest priority answers (and alternatives are listed) */
  vendorDefault: z.boolean().default(false),
  /** the vendor deploys models from the fastest tier (adding chips) rather than spilling to the capacity tier;
   *  "as few as fit" then means as few as hold everything in that tier */
  preferFastTier: z.object({ why: z.string(), sources: z.array(z.string()).min(1) }).optional(),
  announced: z.string().optional(),
  status: z.string().optional(),
  runs: Runs,
  /** 0 = most flexible (runs anything), 1 = most specialised (one hard-wired model) */
  spectrum: z.object({ position: z.number().min(0).max(1), label: z.string() }),
  memory: z.array(MemoryTier).min(1),
  /** dense TFLOPS (or TOPS for int) per number format; null/absent = not published */
  compute: z.partialRecord(NumberFormat, MaybeFigure),
  /** the format this chip usually serves in, used when the user does not choose */
  servingFormat: NumberFormat,
  /** formats the chip can compute natively; others are emulated by upcasting to the nearest wider native format */
  powerW: MaybeFigure,
  link: z.object({
    name: z.string(),
    /** per chip, per direction, GB/s */
    bandwidthGBs: MaybeFigure,
    latencyUs: MaybeFigure,
    /** id of the entry in data/interconnects.json that describes this link */
    interconnect: z.string().optional(),
    /** chips that share one scale-up domain (tensor parallel stays inside it) */
    domainSize: MaybeFigure,
    /** largest deployment the vendor describes (chips), if any */
    maxChips: MaybeFigure.optional(),
  }),
  price: z.object({
    purchaseUsd: MaybeFigure.optional(),
    hourlyUsd: MaybeFigure.optional(),
  }).default({}),
  /** measured maximum achievable dense matmul TFLOPS (MAMF: the best large matmul, at the clock the chip holds under
   *  that load), by input width; absent where no measurement was found */
  achievableMatmul: z.object({ bf16: Figure.optional(), fp8: Figure.optional() }).optional(),
  notes: z.array(z.string()).default([]),
  sources: z.record(z.string(), Source),
  /** filled in at load (catalog/matmul.ts): the share of peak dense TFLOPS the chip sustains in large matmuls, for 16-bit
   *  and for 8-bit and narrower inputs; measured (achievableMatmul), else the mean of its family's measured chips, else
   *  the share its borrowed compute efficiency was fitted at, else 1 (fitted efficiencies then stand against the peak) */
  matmulFacts: z.object({ wide: z.number(), narrow: z.number(), basis: z.string() }).optional(),
  /** filled in at load from data/prices.json: the one cost basis every chip is priced on (null: no price published) */
  priceFacts: z.object({ usdPerChipHour: z.number().nullable(), basis: z.string().nullable() }).optional(),
  /** filled in at load from data/interconnects.json (the entry `link.interconnect` names): a measured collective latency */
  linkFacts: z.object({ interconnect: z.string().nullable(), collectiveLatencyUs: z.number().nullable() }).optional(),
  /** filled in at load from data/systems.json: how the chip's software splits a model, and its standard system */
  deployment: z.object({
    rule: z.enum(['tensor-parallel', 'spatial', 'single']),
    system: z.object({ name: z.string(), chips: z.number().int().positive() }).nullable(),
  }).optional(),
});
export type Chip = z.infer<typeof Chip>;

const Mla = z.object({
  kind: z.literal('mla'),
  qLoraRank: z.number().int().positive(),
  kvLoraRank: z.number().int().positive(),
  qkNopeHeadDim: z.number().int().positive(),
  qkRopeHeadDim: z.number().int().positive(),
  vHeadDim: z.number().int().positive(),
});
const Gqa = z.object({ kind: z.literal('gqa') });

export const Model = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  name: z.string(),
  family: z.string(),
  aliases: z.array(z.string()).default([]),
  /** transformer, or a non-transformer (state-space) model that transformer-only chips must refuse */
  architecture: z.enum(['transformer', 'ssm']),
  layers: z.number().int().positive(),
  hiddenSize: z.number().int().positive(),
  /** dense FFN width (0 when every layer is MoE) */
  intermediateSize: z.number().int().nonnegative(),
  vocabSize: z.number().int().positive(),
  tieEmbeddings: z.boolean(),
  maxContext: z.number().int().positive(),
  /** attention (transformers only) */
  heads: z.number().int().nonnegative(),
  kvHeads: z.number().int().nonnegative(),
  headDim: z.number().int().nonnegative(),
  attention: z.discriminatedUnion('kind', [Gqa, Mla]).default({ kind: 'gqa' }),
  qkvBias: z.boolean().default(false),
  qkNorm: z.boolean().default(false),
  /** gpt-oss: o-proj bias, per-head attention sinks, per-expert biases and router bias */
  gptOssExtras: z.boolean().default(false),
  normsPerLayer: z.number().int().positive().default(2),
  /** layers with bounded attention: sliding window or chunked; the rest are full/global */
  localAttention: z.object({
    kind: z.enum(['sliding', 'chunked']),
    window: z.number().int().positive(),
    layerCount: z.number().int().nonnegative(),
  }).optional(),
  moe: z.object({
    experts: z.number().int().positive(),
    activeExperts: z.number().int().positive(),
    sharedExperts: z.number().int().nonnegative(),
    expertIntermediateSize: z.number().int().positive(),
    sharedIntermediateSize: z.number().int().nonnegative().default(0),
    /** number of layers that are MoE; the others use the dense FFN */
    moeLayers: z.number().int().positive(),
  }).optional(),
  ssm: z.object({
    dState: z.number().int().positive(),
    expand: z.number().int().positive(),
    convKernel: z.number().int().positive(),
    dtRank: z.number().int().positive(),
  }).optional(),
  /** how the released weights are stored, e.g. "bf16", "fp8 (128x128 block scales)", "mxfp4 experts" */
  releasedFormat: z.string(),
  /** set when the authors released the weights only in a format below 16 bits (gpt-oss: MXFP4 experts; DeepSeek: FP8):
   *  engines serve that, so it is the default wherever it is narrower than the chip's usual format */
  releasedWeights: NumberFormat.optional(),
  /** which weights the released format covers: all of them, or only the routed experts (gpt-oss keeps attention, router,
   *  embeddings and LM head in BF16) */
  releasedScope: z.enum(['all', 'experts']).optional(),
  /** the released weights carry a scale per block of weights (DeepSeek's FP8: one per 128 x 128), which a chip applies
   *  in its tensor cores only if they take block-scaled inputs (those computing FP4 natively do) */
  releasedScaling: z.enum(['block']).optional(),
  /** served in FP4, the vendor's checkpoint keeps the attention projections in this wider format (NVIDIA's DeepSeek-R1
   *  NVFP4 quantises the dense and MoE FFN layers only) */
  fp4Attention: z.enum(['bf16', 'fp8']).optional(),
  /** the fraction of parameters (by count) that are MoE expert weights quantised in the released format, if mixed */
  published: z.object({
    totalParamsB: Figure,
    activeParamsB: Figure.optional(),
  }),
  notes: z.array(z.string()).default([]),
  sources: z.record(z.string(), Source),
  /** filled in at load from data/serving.json (kernelsPerLayer): the layers' fixed time in dense-layer equivalents */
  fixedTimeLayers: z.number().positive().optional(),
});
export type Model = z.infer<typeof Model>;

export const Measurement = z.object({
  id: z.string(),
  /** calibration rows come from shared/reference/calibration.md and may be fitted to; validation rows never are */
  use: z.enum(['calibration', 'validation']),
  chip: z.string(),
  chips: z.number().int().positive().nullable(),
  model: z.string(),
  weights: NumberFormat,
  kv: NumberFormat.optional(),
  /** per user = one stream's output tokens/s; aggregate = output tokens/s over all streams; total = prompt + output tokens/s */
  metric: z.enum(['tokensPerSecondPerUser', 'tokensPerSecondAggregate', 'tokensPerSecondTotal', 'ttftMs']),
  value: z.number().positive(),
  batch: z.union([z.number().int().positive(), z.literal('max')]).default(1),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().positive(),
  conditions: z.string(),
  kind: z.enum(['vendor', 'independent', 'mlperf', 'secondary']),
  source: Source,
  note: z.string().optional(),
  /** the deployment as published, when it is */
  layout: z.object({
    tensorParallel: z.number().int().positive().optional(),
    pipelineStages: z.number().int().positive().optional(),
    replicas: z.number().int().positive().optional(),
    expertParallel: z.number().int().positive().optional(),
    /** attention and dense layers data-parallel over the tensorParallel chips, experts spread over them ("DEP") */
    attentionDataParallel: z.boolean().optional(),
    balancedPrefill: z.boolean().optional(),
  }).optional(),
  /** disaggregated serving: the prompts were prefilled on other chips; `layout` is the decode side's */
  prefillElsewhere: z.boolean().optional(),
  /** the dataset's prompts and outputs vary in length: the mean context of a decode step over its per-sample lengths,
   *  each sample weighted by its output length (the time it spends in the batch), with the source of those lengths */
  decodeContext: z.object({ tokens: z.number().positive(), source: Source, note: z.string() }).optional(),
  engine: z.string().optional(),
  /** the figure was produced with speculative decoding (method, draft); such rows never fit baseline constants */
  specDecode: z.string().optional(),
  /** how that speculative decoding was configured, where published: the row is then predicted as served */
  specDecodeConfig: z.object({
    /** a draft head on the model's own hidden states (MTP, EAGLE) or a separate draft model */
    method: z.enum(['mtp', 'eagle', 'draft']),
    draftModel: z.string().optional(),
    /** tokens proposed per verification step; null = not published */
    draftLength: z.number().int().positive().nullable(),
    /** mean tokens emitted per verification step at that draft length, as published; null = not published */
    acceptanceLength: z.object({ value: z.number().min(1), low: z.number().min(1).optional(), high: z.number().min(1).optional(), source: Source, note: z.string() }).nullable(),
  }).optional(),
  /** 'api': measured at a client through the provider's public API, so a TTFT includes network and API time */
  measuredVia: z.enum(['api']).optional(),
  /** a per-output-token latency bound the run was held to (MLPerf Server/Interactive), ms */
  tpotMs: z.number().positive().optional(),
  /** why a row is calibration (for rows added or moved after the first calibration set) */
  reason: z.string().optional(),
});
export type Measurement = z.infer<typeof Measurement>;

/** One efficiency constant: the value fitted to calibration rows (`expected`) and the spread around it. */
export const Constant = z.object({
  low: z.number(),
  expected: z.number(),
  high: z.number(),
  /** ids of calibration rows this constant was fitted to (empty when borrowed) */
  fittedTo: z.array(z.string()).default([]),
  /** family whose fitted value this one reuses, when the family has no calibration row of its own */
  borrowedFrom: z.string().optional(),
  /** for a term no calibration row constrains: what is assumed and why */
  assumption: z.string().optional(),
  note: z.string(),
}).refine((c) => c.low <= c.expected && c.expected <= c.high, { message: 'low ≤ expected ≤ high must hold' })
  .refine((c) => c.fittedTo.length > 0 || c.borrowedFrom !== undefined || c.assumption !== undefined, { message: 'a constant is fitted to a calibration row, borrowed from a family that is, or a stated assumption' });
export type Constant = z.infer<typeof Constant>;

export const Family = z.object({
  name: z.string(),
  /** achieved fraction of peak memory bandwidth when streaming weights and KV in decode */
  bandwidthEfficiency: Constant,
  /** for weight formats the chip does not compute natively (dequantised on the fly), a lower bandwidth efficiency */
  dequantBandwidthEfficiency: z.record(z.string(), Constant).default({}),
  /** the same formats' matmuls run at this fraction of the 16-bit rate they widen to: each weight is converted again for
   *  every tile of tokens, so at large batches the conversion costs per token (absent: no loss) */
  dequantComputeEfficiency: z.record(z.string(), Constant).default({}),
  /** block-scaled weights (releasedScaling) on a chip whose tensor cores do not apply the scales: the share of the
   *  format's matmul rate left once general-purpose cores rescale each block's partial sums (absent: no loss) */
  blockScaleEfficiency: Constant.optional(),
  /** achieved fraction of the chip's sustained dense matmul rate (peak × matmulFacts) in prefill and large-batch decode */
  computeEfficiency: Constant,
  /** fixed time per layer per decode step (kernel launches, synchronisation, dataflow latency), microseconds */
  layerFloorUs: Constant,
  /** extra latency per pipeline hop between scale-up domains, microseconds */
  hopLatencyUs: Constant,
  /** latency of one collective (all-reduce, all-to-all) inside the scale-up domain, microseconds (sourced, not fitted) */
  collectiveLatencyUs: Constant.optional(),
  /** achieved fraction of the sustained matmul rate in the routed-expert GEMMs (absent: computeEfficiency) */
  moeEfficiency: Constant.optional(),
  /** share of the shorter of a kernel's memory and compute time that does not overlap the longer (absent: 0) */
  overlap: Constant.optional(),
  /** achieved fraction of the sustained matmul rate in prefill (absent: computeEfficiency) */
  prefillEfficiency: Constant.optional(),
  /** what the fitted constants rest on: measured (independent or MLPerf rows), vendor claims only, or borrowed */
  evidence: z.enum(['measured', 'vendor claim', 'borrowed']).optional(),
  /** the batches the rows behind a vendor-claim family were stated at (answers elsewhere are extrapolations) */
  evidenceBatches: z.array(z.number()).optional(),
  /** for chips whose compute is unpublished: the effective dense TFLOPS per chip implied by a calibration row */
  impliedTflops: Constant.optional(),
});
export type Family = z.infer<typeof Family>;

/** How data/efficiency.json is produced: which calibration rows fit which constant of which family. */
export const ConstantName = z.enum(['bandwidthEfficiency', 'computeEfficiency', 'moeEfficiency', 'prefillEfficiency', 'overlap', 'layerFloorUs', 'hopLatencyUs', 'collectiveLatencyUs', 'impliedTflops', 'dequant.int8', 'dequant.int4', 'dequant.fp4', 'dequant.fp6', 'dequantMath.int8', 'dequantMath.int4', 'dequantMath.fp4', 'dequantMath.fp6', 'blockScaleEfficiency']);
export type ConstantName = z.infer<typeof ConstantName>;
export const FitPlan = z.object({
  runtimeReserve: z.object({ fraction: z.number().min(0).max(0.5), source: Source, note: z.string() }),
  /** relative spread around a fitted value (low = expected × (1 − s)); wider for borrowed values */
  spread: z.object({ fitted: z.number(), borrowed: z.number() }),
  /** time a client measures on top of the chips when it goes through a provider's public API (network, gateway,
   *  queue): fitted to the calibration rows named here, all measured that way */
  apiOverheadMs: z.object({ rows: z.array(z.string()).min(1), note: z.string() }).optional(),
  families: z.record(z.string(), z.object({
    name: z.string(),
    fit: z.array(z.object({ constant: ConstantName, rows: z.array(z.string()).min(1) })).default([]),
    borrow: z.partialRecord(ConstantName, z.string()).default({}),
    /** why a constant is borrowed although the family has rows that could set it */
    borrowWhy: z.partialRecord(ConstantName, z.string()).default({}),
    assume: z.partialRecord(ConstantName, z.object({ expected: z.number(), high: z.number(), why: z.string() })).default({}),
  })),
});
export type FitPlan = z.infer<typeof FitPlan>;

export const Efficiency = z.object({
  /** fraction of each memory tier kept for runtime, activations and fragmentation */
  runtimeReserve: z.object({ fraction: z.number().min(0).max(0.5), source: Source, note: z.string() }),
  families: z.record(z.string(), Family),
  /** network and API time in a TTFT measured at a client through a public API, ms: a labelled term, off by default */
  apiOverheadMs: Constant.optional(),
});
export type Efficiency = z.infer<typeof Efficiency>;

/** data/systems.json: how each chip's software splits a model, and the standard system it ships in. */
export const Systems = z.object({
  note: z.string(),
  chips: z.record(z.string(), z.object({
    rule: z.enum(['tensor-parallel', 'spatial', 'single']),
    system: z.object({ name: z.string(), chips: z.number().int().positive(), source: z.string() }).optional(),
  })),
  sources: z.record(z.string(), Source),
});
export type Systems = z.infer<typeof Systems>;

/** How the chip's software splits a model over chips: see data/systems.json. */
export type SplitRule = Systems['chips'][string]['rule'];
export interface ChipDeployment {
  rule: SplitRule;
  /** the standard system the chip ships in, when known */
  system: { name: string; chips: number } | null;
}

/** One /explain topic: short, accurate, in our own words, with a link to go further. */
export const Explainer = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  aliases: z.array(z.string()).default([]),
  /** markdown, at most ~1,200 characters so it fits a Discord embed and a Slack section */
  body: z.string().min(100).max(1200),
  /** chip ids this topic is about, if any */
  chips: z.array(z.string()).default([]),
  links: z.array(z.object({ label: z.string(), url: z.url() })).min(1).max(3),
});
export type Explainer = z.infer<typeof Explainer>;
