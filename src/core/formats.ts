// Number formats: bits per stored weight (including block-scale overhead) and how a chip computes them.
import type { Chip, Family, Model, NumberFormat } from '../catalog/schema.ts';

export const FORMATS: readonly NumberFormat[] = ['fp32', 'bf16', 'fp16', 'fp8', 'int8', 'fp6', 'fp4', 'int4', 'int3'];

export interface FormatInfo {
  /** bits per element including block scales */
  bits: number;
  /** how the format is stored, e.g. "NVFP4: 4-bit values, one FP8 scale per 16" */
  label: string;
}

// Block-scaled formats carry one scale per block: OCP MX v1.0 uses blocks of 32 with an 8-bit (E8M0) scale;
// NVIDIA NVFP4 uses blocks of 16 with an FP8 (E4M3) scale; group-wise int4 (GPTQ/AWQ/gpt-fast) keeps a 16-bit scale
// and zero point per group of 128.
const MX_BLOCK = 32;
const NVFP4_BLOCK = 16;
const INT4_GROUP = 128;

const INFO: Record<NumberFormat, FormatInfo> = {
  fp32: { bits: 32, label: 'FP32' },
  bf16: { bits: 16, label: 'BF16' },
  fp16: { bits: 16, label: 'FP16' },
  fp8: { bits: 8, label: 'FP8' },
  int8: { bits: 8, label: 'INT8' },
  fp6: { bits: 6 + 8 / MX_BLOCK, label: 'MXFP6: 6-bit values, one 8-bit scale per 32' },
  fp4: { bits: 4 + 8 / MX_BLOCK, label: 'MXFP4: 4-bit values, one 8-bit scale per 32' },
  int4: { bits: 4 + 32 / INT4_GROUP, label: 'INT4: group-wise, 16-bit scale and zero point per 128' },
  int3: { bits: 3, label: 'INT3' },
};
const NVFP4: FormatInfo = { bits: 4 + 8 / NVFP4_BLOCK, label: 'NVFP4: 4-bit values, one FP8 scale per 16' };

/** FP4 is NVFP4 on NVIDIA chips with FP4 tensor cores, unless the model ships its own FP4 (gpt-oss: MXFP4, which engines
 *  serve as released); elsewhere it is OCP MXFP4. */
export function formatInfo(format: NumberFormat, chip?: Chip, model?: Pick<Model, 'releasedWeights'>): FormatInfo {
  return format === 'fp4' && chip?.vendor === 'NVIDIA' && chip.compute.fp4 && model?.releasedWeights !== 'fp4' ? NVFP4 : INFO[format];
}

export function bytesPerParam(format: NumberFormat, chip?: Chip, model?: Pick<Model, 'releasedWeights'>): number {
  if (chip?.runs.kind === 'hardwired') return chip.runs.bitsPerParam / 8;
  return formatInfo(format, chip, model).bits / 8;
}

/** True when a model served in `format` keeps its non-expert weights in BF16: its release quantised only the experts
 *  (gpt-oss), and engines serve it as released. */
export function expertsOnly(format: NumberFormat, chip: Chip, model: Pick<Model, 'releasedWeights' | 'releasedScope'>): boolean {
  return model.releasedScope === 'experts' && model.releasedWeights === format && chip.runs.kind !== 'hardwired';
}

/** The wider format a model's FP4 checkpoint keeps its attention projections in, or null (see Model.fp4Attention). */
export function attentionKeptWide(format: NumberFormat, chip: Chip, model: Pick<Model, 'fp4Attention'>): NumberFormat | null {
  return format === 'fp4' && model.fp4Attention && chip.runs.kind !== 'hardwired' ? model.fp4Attention : null;
}

/** Bytes per routed-expert parameter, per attention-projection parameter and per other parameter (dense FFN, shared
 *  experts, embeddings; attention too unless a checkpoint keeps it wider). */
export function weightBytesPerParam(format: NumberFormat, chip: Chip, model: Pick<Model, 'releasedWeights' | 'releasedScope' | 'fp4Attention'>): { expert: number; other: number; attention: number } {
  const expert = bytesPerParam(format, chip, model);
  const other = expertsOnly(format, chip, model) ? bytesPerParam('bf16') : expert;
  const wide = attentionKeptWide(format, chip, model);
  return { expert, other, attention: wide ? bytesPerParam(wide) : other };
}

/** The chip runs `format` weight-only (widened to 16 bits for the maths): its family has a fitted cost for doing so. */
export function weightOnly(family: Family, chip: Chip, format: NumberFormat): boolean {
  return chip.runs.kind !== 'hardwired' && (family.dequantBandwidthEfficiency[format] !== undefined || family.dequantComputeEfficiency[format] !== undefined);
}

/** bytes per KV-cache element (no block scales assumed for KV) */
export function kvBytesPerElement(format: NumberFormat): number {
  switch (format) {
    case 'fp32': return 4;
    case 'bf16': case 'fp16': return 2;
    case 'fp8': case 'int8': return 1;
    case 'fp6': return 0.75;
    case 'fp4': case 'int4': return 0.5;
    case 'int3': return 0.375;
  }
}

// Wider formats a chip can fall back to when it has no native support for the requested one. Floating-point weights
// widen to a floating-point format (an A100 runs FP8 weights as W8A16); integer maths only where the chip has nothing
// else (d-Matrix).
const FALLBACK: Record<NumberFormat, NumberFormat[]> = {
  fp32: ['fp32'],
  bf16: ['bf16', 'fp16'],
  fp16: ['fp16', 'bf16'],
  fp8: ['fp8', 'bf16', 'fp16', 'int8'],
  int8: ['int8', 'fp8', 'bf16', 'fp16'],
  fp6: ['fp6', 'fp8', 'bf16', 'int8'],
  fp4: ['fp4', 'fp6', 'fp8', 'bf16', 'int8'],
  int4: ['int4', 'fp4', 'int8', 'fp8', 'bf16'],
  int3: ['int3', 'int4', 'fp4', 'int8', 'fp8', 'bf16'],
};

/** The format the chip computes in for a given weight format, and its peak dense TFLOPS (null if unpublished). */
export function computeFormat(chip: Chip, format: NumberFormat): { format: NumberFormat; tflops: number | null; native: boolean } {
  for (const f of FALLBACK[format]) {
    const fig = chip.compute[f];
    if (fig) return { format: f, tflops: fig.value, native: f === format };
  }
  return { format, tflops: null, native: false };
}

/** The TFLOPS the chip sustains in large matmuls of a format: the peak of the format it computes in, times its sustained
 *  share for that input width (catalog/matmul.ts). Null when the peak is unpublished. */
export function sustainedTflops(chip: Chip, format: NumberFormat): number | null {
  const c = computeFormat(chip, format);
  if (c.tflops === null) return null;
  const f = chip.matmulFacts;
  const wide = c.format === 'bf16' || c.format === 'fp16' || c.format === 'fp32';
  return c.tflops * (f ? (wide ? f.wide : f.narrow) : 1);
}

export function parseFormat(text: string): NumberFormat | null {
  const t = text.trim().toLowerCase().replace(/[-_ ]/g, '');
  const aliases: Record<string, NumberFormat> = {
    fp32: 'fp32', float32: 'fp32', bf16: 'bf16', bfloat16: 'bf16', '16bit': 'bf16', fp16: 'fp16', float16: 'fp16', half: 'fp16',
    fp8: 'fp8', e4m3: 'fp8', float8: 'fp8', int8: 'int8', '8bit': 'int8', mxint8: 'int8', fp6: 'fp6', mxfp6: 'fp6',
    fp4: 'fp4', nvfp4: 'fp4', mxfp4: 'fp4', int4: 'int4', '4bit': 'int4', mxint4: 'int4', int3: 'int3', '3bit': 'int3',
  };
  return aliases[t] ?? null;
}

/** The weight format a model is served in on a chip when none is asked for: the chip's usual serving format, or the
 *  model's released format where that is narrower (gpt-oss ships MXFP4 experts and engines serve them so, widening them
 *  for the maths on chips without FP4). Hard-wired chips hold their own format. */
export function servedWeights(chip: Chip, model?: Pick<Model, 'releasedWeights'>): NumberFormat {
  const released = model?.releasedWeights;
  if (!released || chip.runs.kind === 'hardwired') return chip.servingFormat;
  return INFO[released].bits < INFO[chip.servingFormat].bits ? released : chip.servingFormat;
}

/** The weight format (asked for, or as served: servedWeights) and the KV format that goes with it (FP8 KV where the chip
 *  computes FP8 natively). */
export function defaultFormats(chip: Chip, weights?: NumberFormat, model?: Pick<Model, 'releasedWeights'>): { weights: NumberFormat; kv: NumberFormat } {
  const w = weights ?? servedWeights(chip, model);
  const lowBit = (w === 'fp8' || w === 'fp6' || w === 'fp4') && computeFormat(chip, 'fp8').native;
  // chips without 16-bit compute (d-Matrix: MXINT8/MXINT4 only) keep the KV cache in 8 bits
  const no16 = !chip.compute.bf16 && !chip.compute.fp16 && computeFormat(chip, 'int8').native;
  return { weights: w, kv: lowBit ? 'fp8' : no16 ? 'int8' : 'bf16' };
}

/** Weights served as released with per-block scales (DeepSeek's FP8) on a chip whose tensor cores take no block-scaled
 *  inputs: partial sums are rescaled block by block on general-purpose cores (DeepSeek-V3 report, §3.3.2, on H800). Tensor
 *  cores that compute FP4 natively take block-scaled operands (NVFP4, MXFP4), so they apply the scales themselves. */
export function blockScaledOutsideTensorCores(model: Model, chip: Chip, weights: NumberFormat): boolean {
  return model.releasedScaling === 'block' && weights === model.releasedWeights && !computeFormat(chip, 'fp4').native;
}
