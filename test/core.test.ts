import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import type { Chip, Model, NumberFormat } from '../src/catalog/schema.ts';
import { kvBytesPerToken, paramCounts, stepFacts } from '../src/core/architecture.ts';
import { disaggregate } from '../src/core/disagg.ts';
import { estimate, tokensPerStep } from '../src/core/estimate.ts';
import { fit } from '../src/core/fit.ts';
import { attentionKeptWide, blockScaledOutsideTensorCores, bytesPerParam, computeFormat, defaultFormats, servedWeights, sustainedTflops } from '../src/core/formats.ts';
import { decodeTerms, expertsTouched, prepare } from '../src/core/step.ts';
import type { Range, Scenario } from '../src/core/types.ts';

const cat = catalog();
const chip = (id: string): Chip => cat.chipById.get(id)!;
const model = (id: string): Model => cat.modelById.get(id)!;
const reserve = cat.efficiency.runtimeReserve.fraction;

function scenario(m: string, c: string, extra: Partial<Scenario> = {}): Scenario {
  const ch = chip(c);
  const f = defaultFormats(ch, extra.weights);
  return { model: model(m), chip: ch, family: cat.family(ch), weights: f.weights, kv: f.kv, inputTokens: 1024, outputTokens: 1024,
    batch: 1, chips: 'auto', reserveFraction: reserve, ...extra };
}

function ordered(r: Range): boolean {
  return r.low <= r.expected * (1 + 1e-12) && r.expected <= r.high * (1 + 1e-12) && r.low > 0 && Number.isFinite(r.high);
}

describe('weights and KV arithmetic (hand-worked)', () => {
  it('Llama 3.1 70B at BF16 is about 141 GB of weights and 320 KiB of KV per token', () => {
    const f = fit({ model: model('llama-3.1-70b'), chip: chip('h100-sxm'), weights: 'bf16', kv: 'bf16', contextTokens: 8192, batch: 1, chips: 'auto', reserveFraction: reserve });
    expect(f.weightsBytes / 1e9).toBeCloseTo(141.1, 0);
    expect(f.kvBytesPerToken).toBe(320 * 1024);
    expect(f.kvBytesPerSequence).toBe(320 * 1024 * 8192);
  });

  it('block-scaled 4-bit formats carry their scale overhead: NVFP4 4.5 bits, MXFP4 4.25 bits, int4 group-128 4.25 bits', () => {
    expect(bytesPerParam('fp4', chip('b200')) * 8).toBe(4.5);
    expect(bytesPerParam('fp4', chip('mi355x')) * 8).toBe(4.25);
    expect(bytesPerParam('int4', chip('a100-80gb')) * 8).toBe(4.25);
    expect(bytesPerParam('fp8', chip('h100-sxm')) * 8).toBe(8);
  });

  it('a hard-wired chip stores weights at its own bits per parameter, whatever format is asked for', () => {
    const hc1 = chip('taalas-hc1');
    expect(hc1.runs.kind).toBe('hardwired');
    expect(bytesPerParam('bf16', hc1)).toBe(hc1.runs.kind === 'hardwired' ? hc1.runs.bitsPerParam / 8 : NaN);
  });

  it('DeepSeek-V3 MLA caches 576 elements per layer per token', () => {
    expect(kvBytesPerToken(model('deepseek-v3'), 2).growing).toBe(61 * 576 * 2);
  });

  it('MoE: a batch of one touches k experts per layer; a large batch touches nearly all', () => {
    expect(expertsTouched(256, 8, 1)).toBeCloseTo(8, 10);
    expect(expertsTouched(256, 8, 2000)).toBeGreaterThan(255);
    expect(paramCounts(model('deepseek-v3')).active / 1e9).toBeLessThan(40);
  });
});

describe('formats as served', () => {
  it('a model released only in a narrow format is served in it where the chip usually runs wider', () => {
    expect(servedWeights(chip('h100-sxm'), model('gpt-oss-120b'))).toBe('fp4');
    expect(servedWeights(chip('h100-sxm'), model('llama-3.1-70b'))).toBe('fp8');
    // the chip's own format wins where it is narrower (NVIDIA's NVFP4 DeepSeek on Blackwell)
    expect(servedWeights(chip('b200'), model('deepseek-r1'))).toBe('fp4');
    expect(servedWeights(chip('mi300x'), model('deepseek-r1'))).toBe('fp8');
    expect(servedWeights(chip('a100-80gb'), model('deepseek-r1'))).toBe('fp8');
    // a hard-wired chip holds its own format
    expect(servedWeights(chip('taalas-hc1'), model('gpt-oss-120b'))).toBe(chip('taalas-hc1').servingFormat);
  });

  it('floating-point weights without native maths widen to a floating-point format, integer maths only where there is nothing else', () => {
    // an A100 has INT8 tensor cores but runs FP8 weights as W8A16
    expect(computeFormat(chip('a100-80gb'), 'fp8').format).toBe('bf16');
    expect(computeFormat(chip('mi250x'), 'fp8').format).toBe('bf16');
    expect(computeFormat(chip('a100-80gb'), 'fp4').format).toBe('bf16');
    // d-Matrix computes only MXINT8/MXINT4
    expect(computeFormat(chip('d-matrix-corsair'), 'fp8').format).toBe('int8');
    // native stays native
    expect(computeFormat(chip('h100-sxm'), 'fp8')).toMatchObject({ format: 'fp8', native: true });
  });

  it('gpt-oss-120b fits on one 80 GB H100 in its released MXFP4, as OpenAI states', () => {
    const f = fit({ model: model('gpt-oss-120b'), chip: chip('h100-sxm'), weights: servedWeights(chip('h100-sxm'), model('gpt-oss-120b')), kv: 'fp8', contextTokens: 8192, batch: 1, chips: 'auto', reserveFraction: reserve });
    expect(f.fits).toBe(true);
    expect(f.chipsNeeded).toBe(1);
  });

  it('FP4 is MXFP4 (4.25 bits) for a model that ships it, NVFP4 (4.5 bits) for NVIDIA checkpoints on FP4 tensor cores', () => {
    expect(bytesPerParam('fp4', chip('b200'), model('gpt-oss-120b'))).toBeCloseTo(4.25 / 8, 6);
    expect(bytesPerParam('fp4', chip('b200'), model('llama-3.1-70b'))).toBeCloseTo(4.5 / 8, 6);
    // a chip without FP4 tensor cores has no NVFP4 kernels
    expect(bytesPerParam('fp4', chip('h100-sxm'), model('llama-3.1-70b'))).toBeCloseTo(4.25 / 8, 6);
  });

  it('gpt-oss as released: MXFP4 experts, everything else in BF16 (about 65 GB for the 120B), read at the plain rate', () => {
    const c = chip('h100-sxm'), m = model('gpt-oss-120b'), p = paramCounts(m);
    const w = fit({ model: m, chip: c, weights: 'fp4', kv: 'fp8', contextTokens: 2048, batch: 1, chips: 1, reserveFraction: reserve }).weightsBytes;
    expect(w).toBeCloseTo(p.expert * 4.25 / 8 + p.nonExpert * 2, -3);
    expect(w / 1e9).toBeGreaterThan(64);
    expect(w / 1e9).toBeLessThan(67);
    // asked for another format, the whole model takes it
    const fp8 = fit({ model: m, chip: c, weights: 'fp8', kv: 'fp8', contextTokens: 2048, batch: 1, chips: 2, reserveFraction: reserve }).weightsBytes;
    expect(fp8).toBeCloseTo(p.total, -3);
    // a model whose release covers every weight is uniform
    const llama = fit({ model: model('llama-3.1-70b'), chip: chip('b200'), weights: 'fp4', kv: 'fp8', contextTokens: 2048, batch: 1, chips: 1, reserveFraction: reserve }).weightsBytes;
    expect(llama).toBeCloseTo(paramCounts(model('llama-3.1-70b')).total * 4.5 / 8, -3);
    // the BF16 weights are not dequantised: read at the family's plain bandwidth while the experts take the W4A16 rate
    const layout = { tensorParallel: 1, pipelineStages: 1, replicas: 1, expertParallel: 1 };
    const f = fit({ model: m, chip: c, weights: 'fp4', kv: 'bf16', contextTokens: 2048, batch: 1, chips: 1, reserveFraction: reserve });
    const prep = prepare(m, c, cat.family(c), 'fp4', 'bf16', layout, f);
    expect(prep.gemmPlain).toBe(true);
    expect(prep.gemmBytes).toBeCloseTo((p.nonExpert - p.embedding) * 2, -3);
    expect(prep.expertBytes).toBeCloseTo(p.expertPerLayerEach * 4.25 / 8, -1);
  });

  it('block-scaled FP8 (DeepSeek) loses maths on tensor cores that do not apply block scales (Hopper), not on Blackwell', () => {
    const r1 = model('deepseek-r1');
    expect(r1.releasedScaling).toBe('block');
    const at = (chipId: string, weights: NumberFormat, scale?: number) => {
      const c = chip(chipId), fam = cat.family(c);
      const f = fit({ model: r1, chip: c, weights, kv: 'fp8', contextTokens: 2048, batch: 1024, chips: 8, reserveFraction: reserve });
      const famUsed = scale === undefined ? fam : { ...fam, blockScaleEfficiency: { ...fam.blockScaleEfficiency!, low: scale, expected: scale, high: scale } };
      return prepare(r1, c, famUsed, weights, 'fp8', { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8, attentionDataParallel: true }, f);
    };
    const h200 = at('h200', 'fp8');
    expect(h200.blockScaled).toBe(true);
    const share = cat.family(chip('h200')).blockScaleEfficiency!.expected;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(1);
    expect(h200.cases.expected.blockScale).toBe(share);
    expect(decodeTerms(h200, 1024, 1536, 'expected').compute).toBeGreaterThan(1.5 * decodeTerms(at('h200', 'fp8', 1), 1024, 1536, 'expected').compute);
    // Blackwell's tensor cores take block-scaled inputs; a model without block scales is untouched on Hopper
    expect(at('b200', 'fp4').blockScaled).toBe(false);
    expect(at('b200', 'fp8').blockScaled).toBe(false);
    expect(blockScaledOutsideTensorCores(model('llama-3.1-70b'), chip('h200'), 'fp8')).toBe(false);
  });

  it('DeepSeek-R1 in FP4 keeps its attention projections BF16, as NVIDIA\'s checkpoint does: in its bytes and its matmul time', () => {
    const r1 = model('deepseek-r1'), b200 = chip('b200');
    const attn = stepFacts(r1).attnMatmul, p = paramCounts(r1);
    expect(attn / 1e9).toBeGreaterThan(10);
    const f = fit({ model: r1, chip: b200, weights: 'fp4', kv: 'fp8', contextTokens: 2048, batch: 1, chips: 8, reserveFraction: reserve });
    expect(f.weightsBytes).toBeCloseTo((p.total - attn) * bytesPerParam('fp4', b200, r1) + attn * 2, -3);
    // about 400 GB, as NVIDIA states for its FP4 checkpoint
    expect(f.weightsBytes / 1e9).toBeGreaterThan(380);
    expect(f.weightsBytes / 1e9).toBeLessThan(420);
    const layout = { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8 };
    const kept = prepare(r1, b200, cat.family(b200), 'fp4', 'fp8', layout, f);
    const allFp4 = prepare({ ...r1, fp4Attention: undefined }, b200, cat.family(b200), 'fp4', 'fp8', layout, f);
    const ratio = sustainedTflops(b200, 'fp4')! / sustainedTflops(b200, 'bf16')!;
    expect(kept.gemmFlopsPerToken - allFp4.gemmFlopsPerToken).toBeCloseTo(2 * attn * (ratio - 1) / 8, -3);
    expect(kept.gemmBytes).toBeGreaterThan(allFp4.gemmBytes);
    // a model whose checkpoint quantises attention too is untouched
    expect(attentionKeptWide('fp4', b200, model('llama-3.1-70b'))).toBe(null);
    // gpt-oss released only its experts in MXFP4: every other matmul runs at the BF16 rate on Blackwell too
    const oss = model('gpt-oss-120b');
    const fo = fit({ model: oss, chip: b200, weights: 'fp4', kv: 'fp8', contextTokens: 2048, batch: 1, chips: 1, reserveFraction: reserve });
    const one = { tensorParallel: 1, pipelineStages: 1, replicas: 1, expertParallel: 1 };
    const ossP = prepare(oss, b200, cat.family(b200), 'fp4', 'fp8', one, fo);
    const sf = stepFacts(oss);
    expect(ossP.gemmFlopsPerToken).toBeCloseTo((sf.baseFlops - 2 * sf.expertMatmulActive) * ratio, -3);
  });

  it('with an FP8 KV cache, decode attention runs in FP8 but a prompt\'s attention in 16-bit', () => {
    const c = chip('b200'), m = model('llama-3.1-70b'), fam = cat.family(c);
    const f = fit({ model: m, chip: c, weights: 'fp4', kv: 'fp8', contextTokens: 2048, batch: 1, chips: 1, reserveFraction: reserve });
    const p = prepare(m, c, fam, 'fp4', 'fp8', { tensorParallel: 1, pipelineStages: 1, replicas: 1, expertParallel: 1 }, f);
    const prefillEff = (fam.prefillEfficiency ?? fam.computeEfficiency).expected;
    expect(p.cases.expected.attnPrefillFlops).toBeCloseTo(sustainedTflops(c, 'bf16')! * 1e12 * prefillEff, -6);
    expect(p.cases.expected.attnFlops).toBeCloseTo(sustainedTflops(c, 'fp8')! * 1e12 * fam.computeEfficiency.expected, -6);
  });

  it('FP4 weights on Hopper are widened to BF16 for the maths (W4A16), read at the plain rate, the maths slowed by the fitted conversion cost', () => {
    const c = chip('h100-sxm'), m = model('gpt-oss-120b'), fam = cat.family(c);
    const f = fit({ model: m, chip: c, weights: 'fp4', kv: 'bf16', contextTokens: 2048, batch: 1, chips: 1, reserveFraction: reserve });
    const layout = { tensorParallel: 1, pipelineStages: 1, replicas: 1, expertParallel: 1 };
    const p = prepare(m, c, fam, 'fp4', 'bf16', layout, f);
    expect(p.dequant).toBe(true);
    expect(p.tflopsSustained).toBe(sustainedTflops(c, 'bf16'));
    expect(p.cases.expected.bwEff).toBe(fam.bandwidthEfficiency.expected);
    const math = fam.dequantComputeEfficiency.fp4!.expected;
    expect(math).toBeGreaterThan(0.05);
    expect(math).toBeLessThan(1);
    expect(p.cases.expected.dequantMath).toBe(math);
    // the conversion cost lands on the matmuls: a batch whose experts are compute-bound decodes slower by about 1/math
    const big = prepare(m, c, fam, 'fp4', 'bf16', layout, fit({ model: m, chip: c, weights: 'fp4', kv: 'bf16', contextTokens: 2048, batch: 512, chips: 1, reserveFraction: reserve }));
    const free = prepare(m, c, { ...fam, dequantComputeEfficiency: { fp4: { ...fam.dequantComputeEfficiency.fp4!, low: 1, expected: 1, high: 1 } } }, 'fp4', 'bf16', layout, fit({ model: m, chip: c, weights: 'fp4', kv: 'bf16', contextTokens: 2048, batch: 512, chips: 1, reserveFraction: reserve }));
    expect(decodeTerms(big, 512, 1536, 'expected').compute).toBeGreaterThan(1.5 * decodeTerms(free, 512, 1536, 'expected').compute);
    // without the fitted constant the same weights would be taken to run as FP8 maths at the plain bandwidth
    const plain = { ...fam, dequantBandwidthEfficiency: {}, dequantComputeEfficiency: {} };
    const q = prepare(m, c, plain, 'fp4', 'bf16', layout, f);
    expect(q.tflopsSustained).toBe(sustainedTflops(c, 'fp8'));
    expect(q.cases.expected.bwEff).toBe(fam.bandwidthEfficiency.expected);
  });
});

describe('fit', () => {
  it('Llama 3.1 70B on Cerebras takes 4 wafers at 16-bit', () => {
    const f = fit({ model: model('llama-3.1-70b'), chip: chip('cerebras-wse-3'), weights: 'bf16', kv: 'bf16', contextTokens: 8192, batch: 1, chips: 'auto', reserveFraction: reserve });
    expect(f.fits).toBe(true);
    expect(f.chipsNeeded).toBe(4);
    expect(f.tiers[0].tier.kind).toBe('sram');
    expect(f.maxBatchAtContext).toBeGreaterThanOrEqual(1);
  });

  it('Taalas HC1 refuses any model but its hard-wired one', () => {
    const no = fit({ model: model('llama-3.1-70b'), chip: chip('taalas-hc1'), weights: 'bf16', kv: 'bf16', contextTokens: 2048, batch: 1, chips: 'auto', reserveFraction: reserve });
    expect(no.fits).toBe(false);
    expect(no.refused).toBe(true);
    expect(no.reason).toMatch(/only llama-3\.1-8b/);
    const yes = fit({ model: model('llama-3.1-8b'), chip: chip('taalas-hc1'), weights: 'int3', kv: 'bf16', contextTokens: 2048, batch: 1, chips: 'auto', reserveFraction: reserve });
    expect(yes.fits).toBe(true);
    expect(yes.chipsNeeded).toBe(1);
    expect(yes.maxBatchAtContext).toBeNull(); // the KV SRAM size is not published
  });

  it('Etched Sohu refuses a state-space model', () => {
    const f = fit({ model: model('mamba-2.8b'), chip: chip('etched-sohu'), weights: 'fp8', kv: 'fp8', contextTokens: 2048, batch: 1, chips: 'auto', reserveFraction: reserve });
    expect(f.refused).toBe(true);
    expect(f.reason).toMatch(/transformer/);
  });

  it('a model larger than the largest deployment does not fit, with the reason', () => {
    const f = fit({ model: model('kimi-k2'), chip: chip('groq-lpu-v1'), weights: 'fp32', kv: 'bf16', contextTokens: 4096, batch: 1, chips: 'auto', reserveFraction: reserve });
    expect(f.fits).toBe(false);
    expect(f.refused).toBe(false);
    expect(f.reason).toMatch(/10,440/);
  });

  it('too few chips is a "does not fit" naming how many are needed', () => {
    const f = fit({ model: model('llama-3.1-70b'), chip: chip('h100-sxm'), weights: 'bf16', kv: 'bf16', contextTokens: 8192, batch: 1, chips: 1, reserveFraction: reserve });
    expect(f.fits).toBe(false);
    expect(f.reason).toMatch(/needs 2 GPUs/);
  });

  it('on a tiered chip weights fill the fast tier first and spill to the capacity tier', () => {
    const one = fit({ model: model('llama-3.1-70b'), chip: chip('d-matrix-corsair'), weights: 'int8', kv: 'int8', contextTokens: 4096, batch: 1, chips: 1, reserveFraction: reserve });
    expect(one.fits).toBe(true);
    expect(one.chipsNeeded).toBe(1);
    expect(one.tiers.map((t) => t.tier.kind)).toEqual(['sram', 'lpddr']);
    expect(one.tiers[0].weightsBytes).toBeCloseTo(2e9 * (1 - reserve), -6);
  });

  it('a chip whose vendor deploys from SRAM is sized to hold everything there when the count is left open', () => {
    const f = fit({ model: model('llama-3.1-70b'), chip: chip('d-matrix-corsair'), weights: 'int8', kv: 'int8', contextTokens: 4096, batch: 1, chips: 'auto', reserveFraction: reserve });
    expect(f.chipsNeeded).toBe(1);
    expect(f.chipsForFastestTier).toBeGreaterThan(30);
    expect(f.chips).toBe(f.chipsForFastestTier);
    expect(f.tiers.map((t) => t.tier.kind)).toEqual(['sram']);
  });

  it('more context leaves room for fewer sequences', () => {
    const at = (ctx: number) => fit({ model: model('llama-3.1-8b'), chip: chip('h100-sxm'), weights: 'fp8', kv: 'fp8', contextTokens: ctx, batch: 1, chips: 1, reserveFraction: reserve }).maxBatchAtContext!;
    expect(at(2048)).toBeGreaterThan(at(32768));
  });
});

describe('estimate', () => {
  it('every chip × model pair gives ordered ranges or a reasoned refusal', () => {
    let answered = 0, refused = 0;
    for (const c of cat.chips) for (const m of cat.models) {
      const e = estimate(scenario(m.id, c.id));
      if (!e.decode) { expect(e.fit.reason, `${m.id} on ${c.id}`).toBeTruthy(); refused++; continue; }
      answered++;
      for (const r of [e.decode.tokensPerSecondPerUser, e.decode.tokensPerSecond, e.decode.msPerToken]) expect(ordered(r), `${m.id} on ${c.id}`).toBe(true);
      if (e.prefill?.ttftMs) expect(ordered(e.prefill.ttftMs)).toBe(true);
      if (e.energy.joulesPerToken) expect(ordered(e.energy.joulesPerToken)).toBe(true);
      if (e.cost.usdPerMillionTokens) expect(ordered(e.cost.usdPerMillionTokens)).toBe(true);
      expect(['memory bandwidth', 'compute', 'interconnect', 'latency floor']).toContain(e.decode.bottleneck);
    }
    expect(answered).toBeGreaterThan(500);
    expect(refused).toBeGreaterThanOrEqual(27 + 1); // Taalas refuses all but one model; Etched refuses Mamba
  });

  it('decode at batch 1 on one HBM GPU is memory-bound, prefill is compute-bound', () => {
    const e = estimate(scenario('llama-3.1-8b', 'h100-sxm', { chips: 1 }));
    expect(e.decode!.bottleneck).toBe('memory bandwidth');
    expect(e.prefill!.bottleneck).toBe('compute');
    expect(e.layout).toEqual({ tensorParallel: 1, pipelineStages: 1, replicas: 1, expertParallel: 1 });
  });

  it('on 8 GPUs at batch 1 the 70B model is laid out TP8, and per-layer overheads and collectives keep it well short of twice TP4', () => {
    const e = estimate(scenario('llama-3.1-70b', 'h100-sxm', { chips: 8 }));
    expect(e.layout).toEqual({ tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 1 });
    const four = estimate(scenario('llama-3.1-70b', 'h100-sxm', { chips: 4 }));
    const t8 = e.decode!.termsMs, t4 = four.decode!.termsMs;
    // the weight read halves; the per-layer time and the collectives do not
    expect(t8.memory).toBeCloseTo(t4.memory / 2, 1);
    expect(t8.latencyFloor + t8.interconnect).toBeGreaterThanOrEqual(t4.latencyFloor + t4.interconnect);
    expect(e.decode!.tokensPerSecondPerUser.expected / four.decode!.tokensPerSecondPerUser.expected).toBeLessThan(1.7);
  });

  it('an SRAM dataflow chip is set by its per-layer floor, not bandwidth', () => {
    const e = estimate(scenario('llama-3.1-70b', 'groq-lpu-v1'));
    expect(e.decode!.bottleneck).toBe('latency floor');
  });

  it('larger batches raise aggregate throughput and lower per-user speed', () => {
    const one = estimate(scenario('llama-3.1-8b', 'h100-sxm', { batch: 1 }));
    const many = estimate(scenario('llama-3.1-8b', 'h100-sxm', { batch: 64 }));
    expect(many.decode!.tokensPerSecond.expected).toBeGreaterThan(10 * one.decode!.tokensPerSecond.expected);
    expect(many.decode!.tokensPerSecondPerUser.expected).toBeLessThan(one.decode!.tokensPerSecondPerUser.expected);
  });

  it('batch "max" uses the largest batch that fits, on every replica', () => {
    const e = estimate(scenario('llama-3.1-8b', 'h100-sxm', { batch: 'max', chips: 1 }));
    expect(e.batch).toBe(e.fit.maxBatchAtContext);
    expect(e.serving.limitedBy).toBe('memory');
    expect(e.batch).toBeGreaterThan(100);
  });

  it('beyond one scale-up domain the layout becomes pipeline stages', () => {
    const e = estimate(scenario('llama-3.1-405b', 'h100-sxm', { weights: 'bf16' }));
    expect(e.chips).toBeGreaterThan(8);
    expect(e.layout!.pipelineStages).toBeGreaterThan(1);
  });

  it('energy and cost follow from power and price; unknown when unpublished', () => {
    const h = estimate(scenario('llama-3.1-8b', 'h100-sxm', { batch: 16 }));
    const agg = h.decode!.tokensPerSecond.expected;
    expect(h.energy.joulesPerToken!.expected).toBeCloseTo((700 * h.chips) / agg, 6);
    expect(h.cost.usdPerMillionTokens!.expected).toBeCloseTo((chip('h100-sxm').price.hourlyUsd!.value * h.chips * 1e6) / (agg * 3600), 6);
    const e = estimate(scenario('llama-3.1-8b', 'etched-sohu'));
    expect(e.energy.joulesPerToken).toBeNull();
    expect(e.cost.usdPerMillionTokens).toBeNull();
  });

  it('speculative decoding raises per-user speed when acceptance is high, and the tokens per step follow the geometric series', () => {
    expect(tokensPerStep({ method: 'mtp', draftLength: 3, acceptance: 0.8 })).toBeCloseTo((1 - 0.8 ** 4) / 0.2, 10);
    const base = estimate(scenario('llama-3.1-70b', 'h100-sxm', { chips: 8 }));
    const spec = estimate(scenario('llama-3.1-70b', 'h100-sxm', { chips: 8, specDecode: { method: 'draft', draftModel: model('llama-3.2-1b'), draftLength: 4, acceptance: 0.8 } }));
    expect(spec.decode!.tokensPerSecondPerUser.expected).toBeGreaterThan(1.5 * base.decode!.tokensPerSecondPerUser.expected);
    expect(spec.specDecode!.speedup.expected).toBeGreaterThan(1.5);
    const poor = estimate(scenario('llama-3.1-70b', 'h100-sxm', { chips: 8, specDecode: { method: 'draft', draftModel: model('llama-3.1-8b'), draftLength: 4, acceptance: 0.1 } }));
    expect(poor.specDecode!.speedup.expected).toBeLessThan(1);
  });
});

describe('edge cases', () => {
  it('with no prompt the first token is the first decode step', () => {
    const e = estimate(scenario('llama-3.1-8b', 'h100-sxm', { inputTokens: 0, outputTokens: 16 }));
    expect(e.prefill!.ttftMs).toEqual(e.decode!.stepMs);
  });

  it('a state-space model hands its recurrent state, not a KV cache, to the decode side', () => {
    const d = disaggregate({
      model: model('mamba-2.8b'), kv: 'bf16', inputTokens: 4096, outputTokens: 64, batch: 1, reserveFraction: reserve,
      prefill: { chip: chip('h100-sxm'), family: cat.family(chip('h100-sxm')), weights: 'bf16', chips: 'auto' },
      decode: { chip: chip('groq-lpu-v1'), family: cat.family(chip('groq-lpu-v1')), weights: 'int8', chips: 'auto' },
    });
    expect(d.kvBytes).toBeGreaterThan(1e6);
    expect(d.kvBytes).toBe(disaggregate({ ...{
      model: model('mamba-2.8b'), kv: 'bf16', inputTokens: 64, outputTokens: 64, batch: 1, reserveFraction: reserve,
      prefill: { chip: chip('h100-sxm'), family: cat.family(chip('h100-sxm')), weights: 'bf16', chips: 'auto' },
      decode: { chip: chip('groq-lpu-v1'), family: cat.family(chip('groq-lpu-v1')), weights: 'int8', chips: 'auto' },
    } }).kvBytes); // a fixed state: the same whatever the prompt length
  });
});

describe('disaggregation', () => {
  it('prefill on GPUs and decode on LPUs pays for moving the KV cache', () => {
    const fmt = (c: string): NumberFormat => defaultFormats(chip(c)).weights;
    const d = disaggregate({
      model: model('llama-3.1-70b'), kv: 'bf16', inputTokens: 8192, outputTokens: 512, batch: 1, reserveFraction: reserve,
      prefill: { chip: chip('h100-sxm'), family: cat.family(chip('h100-sxm')), weights: fmt('h100-sxm'), chips: 8 },
      decode: { chip: chip('groq-lpu-v1'), family: cat.family(chip('groq-lpu-v1')), weights: fmt('groq-lpu-v1'), chips: 'auto' },
    });
    expect(d.ok).toBe(true);
    expect(d.kvBytes).toBe(320 * 1024 * 8192);
    expect(d.kvTransferMs!.expected).toBeGreaterThan(0);
    expect(d.ttftMs!.expected).toBeGreaterThan(d.prefillOn.prefill!.ttftMs!.expected);
    expect(d.tokensPerSecondPerUser!.expected).toBeCloseTo(d.decodeOn.decode!.tokensPerSecondPerUser.expected, 6);
  });
});
