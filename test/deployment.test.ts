// The deployment-aware model: properties over the whole catalog, and the six faults an inference engineer found.
import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import type { Chip, Model, NumberFormat } from '../src/catalog/schema.ts';
import { paramCounts } from '../src/core/architecture.ts';
import { acceptanceFromLength, estimate, tokensPerStep, type Estimate } from '../src/core/estimate.ts';
import { predict } from '../src/core/validate.ts';
import { chooseDeployment } from '../src/core/deploy.ts';
import { evaluatePoint, expectedMaxPoisson, prefillBusySeconds, prefillSeconds, prefillTerms } from '../src/core/step.ts';
import { stepFacts } from '../src/core/architecture.ts';
import { candidateLayouts } from '../src/core/sweep.ts';
import { computeFormat, defaultFormats, FORMATS } from '../src/core/formats.ts';
import { chipDeployment, tensorDegrees } from '../src/core/layout.ts';
import type { Scenario } from '../src/core/types.ts';
import { runCli } from '../src/platforms/local/cli.ts';
import { buildDigest } from '../src/digest/content.ts';
import { landscapeReply } from '../src/views/landscape.ts';
import { runValidation, summaryLine } from '../src/views/validation.ts';

const cat = catalog();
const reserve = cat.efficiency.runtimeReserve.fraction;
const chip = (id: string): Chip => cat.chipById.get(id)!;
const model = (id: string): Model => cat.modelById.get(id)!;

function scenario(m: Model, c: Chip, extra: Partial<Scenario> = {}): Scenario {
  const f = defaultFormats(c, extra.weights);
  return { model: m, chip: c, family: cat.family(c), weights: f.weights, kv: f.kv, inputTokens: 512, outputTokens: 256,
    batch: 1, chips: 'auto', reserveFraction: reserve, ...extra };
}

/** formats a chip can actually serve: its native ones (hard-wired chips: their own) */
function formatsOf(c: Chip): NumberFormat[] {
  if (c.runs.kind === 'hardwired') return [c.servingFormat];
  return FORMATS.filter((f) => f !== 'fp32' && computeFormat(c, f).native && c.compute[f]);
}

/** a model/chip sample that keeps the sweep to a few seconds: every chip, every format, five models of each kind */
const MODELS = ['llama-3.1-8b', 'llama-3.1-70b', 'mixtral-8x7b', 'deepseek-v3', 'gemma-3-27b', 'mamba-2.8b', 'llama-3.2-1b'].map(model);

function checkLayout(e: Estimate, m: Model, c: Chip): void {
  const l = e.layout!;
  expect(l.tensorParallel * l.pipelineStages * l.replicas, `${m.id} on ${c.id}: layout chips`).toBe(e.chips);
  const rule = chipDeployment(c).rule;
  if (rule === 'tensor-parallel') {
    expect(tensorDegrees(m, c, Number.MAX_SAFE_INTEGER), `${m.id} on ${c.id}: TP${l.tensorParallel}`).toContain(l.tensorParallel);
    expect(l.tensorParallel).toBeLessThanOrEqual(c.link.domainSize?.value ?? 1);
    if (m.heads > 0) expect(m.heads % l.tensorParallel).toBe(0);
  } else if (rule === 'spatial') {
    // the compiler's rule: groups of chips in sequence, no more stages than layers
    expect(l.pipelineStages).toBeLessThanOrEqual(m.layers);
  } else {
    expect(l.tensorParallel * l.pipelineStages).toBe(1);
  }
  expect(l.pipelineStages).toBeLessThanOrEqual(m.layers);
}

describe('properties over the catalog (every chip × format, a spread of models)', () => {
  it('batch-1 decode never beats the bandwidth of the tiers that hold the weights, and layouts obey their rules', () => {
    let checked = 0;
    for (const c of cat.chips) for (const w of formatsOf(c)) for (const m of MODELS) {
      const e = estimate(scenario(m, c, { weights: w }));
      if (!e.decode) continue;
      checkLayout(e, m, c);
      // bytes of weights one token must stream: everything but the routed experts it does not use
      const p = paramCounts(m);
      const per = e.fit.weightsBytes / p.total;
      const activeBytes = (p.active - p.embedding) * per;
      const weightTiers = e.fit.tiers.filter((t) => t.weightsBytes > 0 && t.tier.bandwidthGBs);
      if (c.runs.kind === 'hardwired' || weightTiers.length === 0) continue;
      const replicaChips = e.layout!.tensorParallel * e.layout!.pipelineStages;
      const bw = Math.max(...weightTiers.map((t) => t.tier.bandwidthGBs!.value)) * 1e9 * replicaChips;
      const fastest = 1 / (e.decode.stepMs.low / 1e3);
      expect(fastest, `${m.id} on ${c.id} ${w}`).toBeLessThanOrEqual(bw / activeBytes * (1 + 1e-9));
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('per-user speed never rises with batch, and aggregate never falls until the latency target', () => {
    const batches = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    let checked = 0;
    for (const c of cat.chips) for (const m of [model('llama-3.1-8b'), model('llama-3.1-70b'), model('mixtral-8x7b')]) {
      const one = estimate(scenario(m, c));
      if (!one.decode) continue;
      const chips = one.chips;
      let prevUser = Infinity, prevAgg = 0;
      for (const b of batches) {
        const e = estimate(scenario(m, c, { batch: b, chips }));
        if (!e.decode || e.serving.queued > 0) break;
        checkLayout(e, m, c);
        const user = e.decode.tokensPerSecondPerUser.expected, agg = e.decode.tokensPerSecond.expected;
        expect(user, `${m.id} on ${chips} ${c.id}, batch ${b}: per user`).toBeLessThanOrEqual(prevUser * (1 + 1e-9));
        if (e.decode.msPerToken.expected <= 200) expect(agg, `${m.id} on ${chips} ${c.id}, batch ${b}: aggregate`).toBeGreaterThanOrEqual(prevAgg * (1 - 1e-9));
        prevUser = user; prevAgg = agg;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('chips the question gives are all accounted for: used by the layout or named as idle', () => {
    const six = estimate(scenario(model('llama-3.1-70b'), chip('h100-sxm'), { chips: 6, weights: 'fp8' }));
    expect(six.notes.join(' ')).toMatch(/6 GPUs: served as TP4 \+ 2 idle, or TP8 on 8 GPUs/);
    for (const n of [1, 3, 6, 8, 12, 16]) {
      const e = estimate(scenario(model('llama-3.1-70b'), chip('h100-sxm'), { chips: n, weights: 'fp8' }));
      if (!e.decode) { expect(e.fit.reason).toBeTruthy(); continue; }
      expect(e.chips).toBeLessThanOrEqual(n);
      if (e.chips < n) expect(e.notes.join(' ')).toMatch(new RegExp(`${n} GPUs: served as .* \\+ ${n - e.chips} idle`));
    }
  });
});

describe('what an inference engineer found, fixed', () => {
  it('8× GB200 at batch 1 on Llama 3.1 70B comes out below Cerebras’s measured ~450 tok/s (collectives cost latency)', () => {
    const e = estimate(scenario(model('llama-3.1-70b'), chip('gb200'), { chips: 8, weights: 'fp4', inputTokens: 1000, outputTokens: 1000 }));
    expect(e.layout!.tensorParallel).toBe(8);
    expect(e.decode!.tokensPerSecondPerUser.expected).toBeLessThan(450);
    expect(e.decode!.termsMs.interconnect).toBeGreaterThan(0);
    // more chips never make a step free: TP over the whole rack still pays per-collective latency
    const rack = estimate(scenario(model('llama-3.1-70b'), chip('gb200'), { chips: 72, weights: 'fp4', inputTokens: 1000, outputTokens: 1000 }));
    expect(rack.decode!.termsMs.interconnect).toBeGreaterThan(e.decode!.termsMs.interconnect * 0.9);
  });

  it('d-Matrix agrees with its vendor’s per-token latency claims at the batches they were stated for, and batch 1 is labelled an extrapolation', () => {
    const at = (m: string, chips: number, batch: number) => estimate(scenario(model(m), chip('d-matrix-corsair'), { chips, batch, inputTokens: 1000, outputTokens: 1000 }));
    const eight = at('llama-3-8b', 8, 60), seventy = at('llama-3-70b', 64, 60);
    expect(Math.abs(eight.decode!.msPerToken.expected / 1 - 1)).toBeLessThan(0.25); // "1 ms/token"
    expect(Math.abs(seventy.decode!.msPerToken.expected / 2 - 1)).toBeLessThan(0.25); // "2 ms/token"
    const one = estimate(scenario(model('llama-3.1-70b'), chip('d-matrix-corsair')));
    expect(one.evidence).toBe('vendor claim');
    expect(one.notes.join(' ')).toMatch(/extrapolat.*vendor claim/i);
  });

  it('/compare groq etched puts like next to like: Etched on its 8-chip server, and says which deployment each side used', async () => {
    const r = await runCli(['compare', 'groq', 'etched', 'decode', '--json']);
    const j = JSON.parse(r.stdout);
    expect(j.b.one.chips).toBe(8);
    expect(j.b.one.layout.tensorParallel).toBe(8);
    const text = (await runCli(['compare', 'groq', 'etched', 'decode'])).stdout;
    expect(text).toMatch(/Etched Sohu as TP8 on 8 chips \(8× Sohu server\)/);
    expect(text).toMatch(/GroqRack/);
    expect(text).not.toMatch(/5\.9×/);
  });

  it('mixture-of-experts at large batch is no longer twice too fast, and SambaNova rows run on the 16-chip system they were measured on', () => {
    const v = runValidation(cat);
    for (const id of ['val-h200-trtllm-qwen3-235b', 'val-mi300x-mlperf51-mixtral-offline', 'val-mi325x-mlperf51-mixtral-offline']) {
      const c = v.checks.find((x) => x.measurement.id === id)!;
      expect(Math.abs(c.error!), id).toBeLessThan(0.5);
    }
    const s = v.checks.find((x) => x.measurement.id === 'val-sambanova-70b-aa')!;
    const m = s.measurement;
    const e = estimate(scenario(model(m.model), chip(m.chip), { weights: m.weights, inputTokens: m.inputTokens, outputTokens: m.outputTokens }));
    expect(e.chips).toBe(16);
  });

  it('"100 users on 2× H100" serves as many as KV memory holds and queues the rest, instead of "does not fit"', () => {
    const e = estimate(scenario(model('llama-3.1-70b'), chip('h100-sxm'), { chips: 2, batch: 100, weights: 'bf16', inputTokens: 1000, outputTokens: 1000 }));
    expect(e.decode).not.toBeNull();
    expect(e.serving.concurrent).toBeGreaterThan(0);
    expect(e.serving.concurrent).toBeLessThan(100);
    expect(e.serving.queued).toBe(100 - e.serving.concurrent);
    expect(e.serving.queueWaitSeconds!.expected).toBeGreaterThan(0);
  });

  it('a layout given outright that holds fewer sequences than asked serves what fits and queues the rest (a config\'s batch is a cap)', () => {
    const layout = { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8, attentionDataParallel: true, balancedPrefill: true };
    const e = estimate(scenario(model('deepseek-r1'), chip('b200'), { chips: 8, batch: 7168, weights: 'fp4', kv: 'fp8', inputTokens: 1024, outputTokens: 2048, tpotTargetMs: null, layout }));
    expect(e.decode).not.toBeNull();
    expect(e.layout!.attentionDataParallel).toBe(true);
    expect(e.serving.limitedBy).toBe('memory');
    expect(e.serving.concurrent).toBeGreaterThan(1000);
    expect(e.serving.concurrent).toBeLessThan(7168);
    expect(e.serving.queued).toBe(7168 - e.serving.concurrent);
    // the published rows that ran so are predicted, not dropped
    const v = runValidation(cat);
    expect(v.validation.predicted).toBe(v.checks.filter((c) => c.measurement.use === 'validation').length);
  });

  it('a row whose fit alone runs into a bound widens no range (Hopper\'s per-layer time: one row alone asks for ~0)', () => {
    const floor = cat.efficiency.families['nvidia-hopper'].layerFloorUs;
    expect(floor.note).toMatch(/each row alone: [\d.]+, 0\.0100/);
    expect(floor.note).toMatch(/a row alone at a bound does not/);
    expect(floor.low).toBeGreaterThan(0.8 * floor.expected);
  });

  it('validate reports leave-one-out errors, and calibration rows are no longer all at 0%', async () => {
    const r = await runCli(['validate']);
    expect(r.stdout).toMatch(/Leave-one-out on calibration rows: median error \d+%/);
    expect(r.stdout).toMatch(/left out: [+-]?\d+%/);
    const v = runValidation(cat);
    expect(v.checks.filter((c) => c.measurement.use === 'calibration').filter((c) => Math.abs(c.error!) > 0.01).length).toBeGreaterThan(3);
  });
});

describe('KV copies, data-parallel attention, and what a pipeline\'s prefill costs', () => {
  const r1 = () => model('deepseek-r1');
  it('tensor parallel over MLA stores every sequence\'s latent on every chip; data-parallel attention stores it once', () => {
    const base = { chips: 8, batch: 'max' as const, weights: 'fp8' as const, inputTokens: 1024, outputTokens: 1024, tpotTargetMs: null };
    const tp = estimate(scenario(r1(), chip('h200'), { ...base, layout: { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8 } }));
    const dep = estimate(scenario(r1(), chip('h200'), { ...base, layout: { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8, attentionDataParallel: true } }));
    // 8× the KV room, less the seven extra copies of the non-expert weights the data-parallel group stores
    const ratio = dep.fit.maxBatchAtContext! / tp.fit.maxBatchAtContext!;
    expect(ratio).toBeGreaterThan(4);
    expect(ratio).toBeLessThan(8);
    const stored = (e: typeof dep) => e.fit.tiers.reduce((a, t) => a + t.weightsBytes, 0);
    expect(stored(dep) - stored(tp)).toBeCloseTo(7 * paramCounts(r1()).nonExpert * 1, -6);
    expect(dep.layout!.attentionDataParallel).toBe(true);
    expect(dep.deployment!.line).toMatch(/attention DP8 \(EP8\)/);
  });

  it('sweeps (/frontier, /plan) try data-parallel attention for MoE models, and only for them', () => {
    const w = (id: string) => ({ model: model(id), chip: chip('h200'), family: cat.family(chip('h200')), inputTokens: 1024, outputTokens: 1024, reserveFraction: reserve, engineMaxBatch: null });
    expect(candidateLayouts(w('deepseek-r1'), 'fp8', 'fp8').some((l) => l.attentionDataParallel)).toBe(true);
    // a deployment chosen for the user balances prompts over the ranks, as engines offer
    expect(candidateLayouts(w('deepseek-r1'), 'fp8', 'fp8').filter((l) => l.attentionDataParallel).every((l) => l.balancedPrefill)).toBe(true);
    const chosen = estimate(scenario(r1(), chip('h200'), { chips: 8, batch: 'max', weights: 'fp8', inputTokens: 1024, outputTokens: 2048 }));
    expect(chosen.layout!.attentionDataParallel).toBe(true);
    expect(chosen.layout!.balancedPrefill).toBe(true);
    expect(chosen.deployment!.line).toMatch(/attention DP\d+ .*\(EP\d+\), prompts balanced over the ranks/);
    expect(candidateLayouts(w('llama-3.1-70b'), 'fp8', 'fp8').some((l) => l.attentionDataParallel)).toBe(false);
  });

  it('GQA KV heads repeat beyond their count: TP16 on 8 KV heads stores two copies', () => {
    const m = model('llama-3.1-70b');
    const sc = (t: number) => scenario(m, chip('h100-sxm'), { chips: 16, batch: 'max', weights: 'fp8', tpotTargetMs: null, layout: { tensorParallel: t, pipelineStages: 16 / t, replicas: 1 } });
    const t16 = estimate(sc(16)), t8 = estimate(sc(8));
    expect(t16.fit.maxBatchAtContext! / t8.fit.maxBatchAtContext!).toBeCloseTo(0.5, 1);
  });

  it('data-parallel attention reads the whole non-expert weights on each chip and runs no all-reduce; at batch 1 tensor parallel is faster', () => {
    const dep = estimate(scenario(r1(), chip('h200'), { chips: 8, batch: 1, weights: 'fp8', layout: { tensorParallel: 8, pipelineStages: 1, replicas: 1, attentionDataParallel: true } }));
    const tp = estimate(scenario(r1(), chip('h200'), { chips: 8, batch: 1, weights: 'fp8', layout: { tensorParallel: 8, pipelineStages: 1, replicas: 1 } }));
    expect(dep.decode!.tokensPerSecondPerUser.expected).toBeLessThan(tp.decode!.tokensPerSecondPerUser.expected);
    const fastest = estimate(scenario(r1(), chip('h200'), { chips: 8, batch: 1, weights: 'fp8' }));
    expect(fastest.layout!.attentionDataParallel).toBeUndefined();
  });

  it('the expected busiest of n ranks under Poisson arrivals: the mean for one rank, more for many, by an independent sum', () => {
    const pmf = (l: number, k: number) => { let p = Math.exp(-l); for (let i = 1; i <= k; i++) p *= l / i; return p; };
    const direct = (l: number, n: number) => {
      // E[max] = Σ m · (F(m)^n − F(m − 1)^n)
      let F = 0, prev = 0, e = 0;
      for (let m = 0; m < 200; m++) { F += pmf(l, m); e += m * (Math.pow(F, n) - Math.pow(prev, n)); prev = F; }
      return e;
    };
    for (const l of [0.05, 0.5, 3, 20]) {
      expect(expectedMaxPoisson(l, 1)).toBeCloseTo(l, 6);
      for (const n of [2, 8, 72]) expect(expectedMaxPoisson(l, n)).toBeCloseTo(direct(l, n), 6);
    }
    // few arrivals: the busiest rank has about one prompt whenever any rank has one
    expect(expectedMaxPoisson(0.05, 8)).toBeCloseTo(1 - Math.exp(-0.4), 1);
  });

  it('data-parallel attention: a prompt\'s attention and dense layers run on its own rank, and the others wait for the busiest', () => {
    const dep = { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8, attentionDataParallel: true };
    const base = { chips: 8, batch: 1024, weights: 'fp8' as const, kv: 'bf16' as const, inputTokens: 1024, outputTokens: 2048, tpotTargetMs: null };
    const unbalanced = estimate(scenario(r1(), chip('h200'), { ...base, layout: dep }));
    const balanced = estimate(scenario(r1(), chip('h200'), { ...base, layout: { ...dep, balancedPrefill: true } }));
    // same decode step, a costlier prefill share: lower throughput and per-user speed without balancing
    expect(unbalanced.decode!.stepMs.expected).toBeCloseTo(balanced.decode!.stepMs.expected, 6);
    expect(unbalanced.decode!.tokensPerSecond.expected).toBeLessThan(0.95 * balanced.decode!.tokensPerSecond.expected);
    // the longer the prompts against the output, the fewer arrive per step and the larger the busiest rank's excess
    const long = (l: object) => estimate(scenario(r1(), chip('h200'), { ...base, batch: 256, inputTokens: 8192, outputTokens: 512, layout: l }));
    const gap = (a: Estimate, b: Estimate) => b.decode!.tokensPerSecond.expected / a.decode!.tokensPerSecond.expected;
    expect(gap(long(dep), long({ ...dep, balancedPrefill: true }))).toBeGreaterThan(gap(unbalanced, balanced));
    // one prompt's first token: its whole attention side on one chip, so slower than tensor parallel spreading it
    const one = (l: object) => estimate(scenario(r1(), chip('h200'), { chips: 8, batch: 1, weights: 'fp8', inputTokens: 4096, outputTokens: 256, layout: l }));
    expect(one(dep).prefill!.ttftMs!.expected).toBeGreaterThan(1.5 * one({ tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8 }).prefill!.ttftMs!.expected);
  });

  it('disaggregated serving: with prompts prefilled on other chips, no user\'s step carries another\'s prefill', () => {
    const base = { chips: 20, batch: 1121, weights: 'fp4' as const, inputTokens: 9429, outputTokens: 684, tpotTargetMs: null, layout: { tensorParallel: 4, pipelineStages: 1, replicas: 5 } };
    const colocated = estimate(scenario(model('llama-3.1-405b'), chip('gb300'), base));
    const split = estimate(scenario(model('llama-3.1-405b'), chip('gb300'), { ...base, prefillElsewhere: true }));
    // the same decode step; per user it is the whole time per token once prefill runs elsewhere
    expect(split.decode!.stepMs.expected).toBeCloseTo(colocated.decode!.stepMs.expected, 9);
    expect(1000 / split.decode!.tokensPerSecondPerUser.expected).toBeCloseTo(split.decode!.stepMs.expected, 3);
    expect(split.decode!.tokensPerSecondPerUser.expected).toBeGreaterThan(1.2 * colocated.decode!.tokensPerSecondPerUser.expected);
    // a row that says so is predicted that way
    const row = cat.measurements.find((m) => m.id === 'val-gb300x72-mlperf60-405b-interactive')!;
    expect(row.prefillElsewhere).toBe(true);
    const c = predict(row, model(row.model), chip(row.chip), cat.family(chip(row.chip)), reserve);
    const asIf = predict({ ...row, prefillElsewhere: undefined }, model(row.model), chip(row.chip), cat.family(chip(row.chip)), reserve);
    expect(c.predicted!.expected).toBeGreaterThan(asIf.predicted!.expected);
  });

  it('activations between the matmuls: a compute-bound prefill still streams them, and every tensor-parallel chip normalises the full hidden vector', () => {
    const m = model('llama-3.1-8b'), c = chip('b200');
    const at = (t: number) => {
      const sc = scenario(m, c, { chips: t, batch: 1, weights: 'fp4', kv: 'fp8', inputTokens: 8192, outputTokens: 128, tpotTargetMs: null, layout: { tensorParallel: t, pipelineStages: 1, replicas: 1 } });
      return chooseDeployment(sc, chipDeployment(c), 1)!.prepared;
    };
    const one = at(1), eight = at(8);
    const e = stepFacts(m).elementwise;
    const hbm = Math.max(...c.memory.map((t) => t.bandwidthGBs?.value ?? 0)) * 1e9;
    expect(one.elementwiseSecPerToken).toBeCloseTo((e.replicated + e.split) / hbm, 15);
    expect(eight.elementwiseSecPerToken).toBeCloseTo((e.replicated + e.split / 8) / hbm, 15);
    expect(eight.elementwiseSecPerToken).toBeGreaterThan(one.elementwiseSecPerToken / 8 * 1.5);
    // the FP4 matmuls of an 8K prompt are compute-bound; the step still spends memory time on the activations
    const terms = prefillTerms(one, 1, 8192, 'expected')!;
    expect(terms.compute).toBeGreaterThan(0);
    expect(terms.memory).toBeGreaterThanOrEqual(8192 * one.elementwiseSecPerToken * 0.999);
    // a hard-wired transformer datapath fuses them
    const sohu = chip('etched-sohu');
    const sohuPrepared = chooseDeployment(scenario(model('llama-3.1-70b'), sohu, { chips: 8, batch: 1 }), chipDeployment(sohu), 1)!.prepared;
    expect(sohuPrepared.elementwiseSecPerToken).toBe(0);
  });

  it('lengths that vary: a decode step attends to the length-biased mean context the row records, not input + output/2', () => {
    const base = { chips: 8, batch: 4096, weights: 'fp4' as const, kv: 'fp8' as const, inputTokens: 804, outputTokens: 3736, tpotTargetMs: null,
      layout: { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8, attentionDataParallel: true, balancedPrefill: true } };
    const alike = estimate(scenario(r1(), chip('b200'), base));
    const spread = estimate(scenario(r1(), chip('b200'), { ...base, decodeContextTokens: 5431 }));
    const sameAsDefault = estimate(scenario(r1(), chip('b200'), { ...base, decodeContextTokens: 804 + 3736 / 2 }));
    expect(sameAsDefault.decode!.stepMs.expected).toBeCloseTo(alike.decode!.stepMs.expected, 9);
    expect(spread.decode!.stepMs.expected).toBeGreaterThan(1.05 * alike.decode!.stepMs.expected);
    // the MLPerf rows record it from the dataset's per-sample lengths, and predict() uses it
    const row = cat.measurements.find((m) => m.id === 'val-b300x8-mlperf60-r1-offline')!;
    expect(row.decodeContext!.tokens).toBeGreaterThan(1.8 * (row.inputTokens + row.outputTokens / 2));
    const c = predict(row, model(row.model), chip(row.chip), cat.family(chip(row.chip)), reserve);
    const asIf = predict({ ...row, decodeContext: undefined }, model(row.model), chip(row.chip), cat.family(chip(row.chip)), reserve);
    expect(c.predicted!.expected).toBeLessThan(0.97 * asIf.predicted!.expected);
  });

  it('the benchmark\'s allocation-free point (evaluatePoint) gives estimate()\'s figures, data-parallel attention included', () => {
    const dep = { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8, attentionDataParallel: true };
    for (const layout of [dep, { ...dep, balancedPrefill: true }, { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 8 }]) {
      for (const batch of [1, 256]) {
        const sc = scenario(r1(), chip('h200'), { chips: 8, batch, weights: 'fp8', kv: 'fp8', inputTokens: 2048, outputTokens: 512, tpotTargetMs: null, layout });
        const e = estimate(sc);
        const d = chooseDeployment(sc, chipDeployment(sc.chip), batch)!;
        const out = new Float64Array(6);
        evaluatePoint(d.prepared, 1, batch, 2048, 512, out);
        expect(out[1] / e.decode!.tokensPerSecondPerUser.expected).toBeCloseTo(1, 6);
        expect(out[4] / e.decode!.tokensPerSecond.expected).toBeCloseTo(1, 6);
      }
    }
  });

  it('under load a first token also waits for steps in flight, each case with its own prefill and step (a range, not a point)', () => {
    const e = estimate(scenario(model('llama-3.1-70b'), chip('h100-sxm'), { chips: 8, batch: 64, weights: 'fp8' }));
    const t = e.prefill!.ttftMs!, idle = e.prefill!.idleTtftMs!;
    expect(t.low).toBeLessThan(t.expected);
    expect(t.expected).toBeLessThan(t.high);
    expect(t.low).toBeGreaterThan(idle.low);
    expect(t.high).toBeGreaterThan(idle.high);
  });

  it('with many requests in flight a pipeline\'s fill and drain are overlapped: prefill costs its busy time, not its latency', () => {
    const sc = scenario(model('llama-3.1-70b'), chip('h100-sxm'), { chips: 8, batch: 64, weights: 'fp8', inputTokens: 2048, outputTokens: 256, layout: { tensorParallel: 2, pipelineStages: 4, replicas: 1 } });
    const d = chooseDeployment(sc, chipDeployment(sc.chip), 64)!;
    const busy = prefillBusySeconds(d.prepared, 64, 2048, 'expected'), latency = prefillSeconds(d.prepared, 64, 2048, 'expected');
    expect(latency / busy).toBeCloseTo((2 * 4 - 1) / 4, 6);
    const e = estimate(sc);
    const round = 64 * 256 / e.decode!.tokensPerSecond.expected;
    const prefillShare = round - 256 * e.decode!.stepMs.expected / 1000;
    expect(prefillShare).toBeCloseTo(busy, 4);
  });
});

describe('local attention in decode', () => {
  it('a chunked layer (Llama 4) attends only within its chunk; a sliding window always to its last W tokens', () => {
    const decodeKvMs = (id: string, ctx: number) => estimate(scenario(model(id), chip('h200'), { chips: 8, batch: 64, weights: 'fp8', inputTokens: ctx, outputTokens: 2 })).decode!.termsMs.memory;
    const scout = model('llama-4-scout'), W = scout.localAttention!.window;
    expect(scout.localAttention!.kind).toBe('chunked');
    // just past a chunk boundary the chunked layers read almost nothing, so the step reads less than just before it
    expect(decodeKvMs('llama-4-scout', 2 * W + 16)).toBeLessThan(decodeKvMs('llama-4-scout', 2 * W - 16));
    const g = model('gpt-oss-120b'), w = g.localAttention!.window;
    expect(g.localAttention!.kind).toBe('sliding');
    expect(decodeKvMs('gpt-oss-120b', 4 * w + 16)).toBeGreaterThanOrEqual(decodeKvMs('gpt-oss-120b', 4 * w - 16));
  });
});

describe('a layer\'s fixed time follows the operations it runs', () => {
  it('dense GQA layers count once; MLA, routed-expert and shared-expert blocks add their operations (data/serving.json)', () => {
    const k = cat.serving.kernelsPerLayer!;
    expect(k).not.toBeNull();
    expect(model('llama-3.1-70b').fixedTimeLayers).toBe(80);
    const r1 = model('deepseek-r1');
    // 61 MLA layers, 58 of them with routed and shared experts
    expect(r1.fixedTimeLayers).toBeCloseTo((61 * (k.denseLayer + k.mlaExtra) + 58 * (k.moeExtra + k.sharedExpertExtra)) / k.denseLayer, 9);
    const mixtral = model('mixtral-8x7b');
    expect(mixtral.fixedTimeLayers).toBeCloseTo(32 * (k.denseLayer + k.moeExtra) / k.denseLayer, 9);
    for (const m of cat.models) if (m.architecture === 'transformer') expect(m.fixedTimeLayers!).toBeGreaterThanOrEqual(m.layers);
  });

  it('the step\'s fixed-time term is the family constant times those layers', () => {
    for (const id of ['llama-3.1-70b', 'deepseek-r1']) {
      const m = model(id), c = chip('b200');
      const e = estimate(scenario(m, c, { chips: 8, batch: 1 }));
      expect(e.decode!.termsMs.latencyFloor).toBeCloseTo(m.fixedTimeLayers! * cat.family(c).layerFloorUs.expected / 1000, 6);
    }
  });
});

describe('speculative decoding as vendors run it', () => {
  it('acceptance length and per-token acceptance are inverse conversions', () => {
    for (const [len, k] of [[2.82, 3], [1.5, 1], [4.2, 7], [2.37, 3]] as const) {
      expect(tokensPerStep({ method: 'mtp', draftLength: k, acceptance: acceptanceFromLength(len, k) })).toBeCloseTo(len, 9);
    }
  });

  it('where a vendor serves a pair with speculative decoding the answer shows both figures, with the source; elsewhere it does not', async () => {
    for (const [m, c, served] of [['llama-3.1-70b', 'sambanova', /457 tok\/s per user on 16 SN40L/], ['llama-3.1-405b', 'sambanova', /129 tok\/s per user/],
      ['llama-3.1-70b', 'groq', /1,665 tok\/s per user/], ['llama-3.1-70b', 'cerebras', /about 2,100 tok\/s per user \(Cerebras, October 2024\)/]] as const) {
      const r = await runCli(['estimate', m, c]);
      expect(r.stdout).toMatch(/As served, with speculative decoding \(a draft model/);
      expect(r.stdout).toMatch(served);
      expect(r.stdout).toMatch(/without it, this model's figure: [\d,.]+ tok\/s \([\d,.]+–[\d,.]+\) per user/);
    }
    // SambaNova's 8B was measured without it
    expect((await runCli(['estimate', 'llama-3.1-8b', 'sambanova'])).stdout).not.toMatch(/As served/);
    expect((await runCli(['estimate', 'llama-3.1-8b', 'cerebras'])).stdout).not.toMatch(/As served/);
  });

  it('a row measured with speculative decoding is predicted as served where its acceptance is published, else against the baseline', () => {
    const v = runValidation(cat);
    const spec = v.checks.filter((c) => c.measurement.specDecode);
    const served = spec.filter((c) => c.asServed);
    expect(served.map((c) => c.measurement.id)).toEqual(spec.filter((c) => c.measurement.specDecodeConfig?.acceptanceLength).map((c) => c.measurement.id));
    expect(served.length).toBeGreaterThan(0);
    expect(served.length).toBeLessThan(spec.length);
    for (const c of served) {
      const baseline = predict({ ...c.measurement, specDecodeConfig: undefined }, model(c.measurement.model), chip(c.measurement.chip), cat.family(chip(c.measurement.chip)), reserve);
      const tokens = c.measurement.specDecodeConfig!.acceptanceLength!.value;
      // drafting and verifying cost something, so the speed-up is above 1 and below the tokens emitted per step
      expect(c.predicted!.expected / baseline.predicted!.expected).toBeGreaterThan(1);
      expect(c.predicted!.expected / baseline.predicted!.expected).toBeLessThan(tokens);
    }
    expect(summaryLine(v)).toMatch(new RegExp(`${spec.length} were measured with speculative decoding: ${served.length} predicted as served`));
  });
});

describe('API and network time in a TTFT: a separate, labelled term, off by default', () => {
  it('is fitted to API-measured TTFT calibration rows only, and added only when asked for', async () => {
    const api = cat.efficiency.apiOverheadMs!;
    expect(api.fittedTo.length).toBeGreaterThanOrEqual(2);
    for (const id of api.fittedTo) {
      const row = cat.measurements.find((m) => m.id === id)!;
      expect([row.use, row.metric, row.measuredVia]).toEqual(['calibration', 'ttftMs', 'api']);
    }
    const plain = JSON.parse((await runCli(['estimate', 'llama-3.1-70b', 'groq', '--json'])).stdout);
    const viaApi = JSON.parse((await runCli(['estimate', 'llama-3.1-70b', 'groq', '--via', 'api', '--json'])).stdout);
    expect(plain.prefill.apiOverheadMs).toBeUndefined();
    expect(viaApi.prefill.apiOverheadMs.expected).toBeCloseTo(api.expected, 9);
    expect(viaApi.prefill.ttftMs.expected - plain.prefill.ttftMs.expected).toBeCloseTo(api.expected, 6);
    const text = (await runCli(['estimate', 'llama-3.1-70b', 'groq', '--via', 'api'])).stdout;
    expect(text).toMatch(/includes \d+ ms .* of API and network time/);
    expect(text).toMatch(/on the chips alone it is about [\d.]+ ms/);
    const bad = await runCli(['estimate', 'llama-3.1-70b', 'groq', '--via', 'internet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/via is chips .* or api/);
  });

  it('validation adds it only to TTFT rows measured through a public API', () => {
    const v = runValidation(cat);
    const withApi = v.checks.filter((c) => c.measurement.measuredVia === 'api');
    expect(withApi.length).toBeGreaterThan(0);
    for (const c of withApi) expect(c.predicted!.expected).toBeGreaterThan(cat.efficiency.apiOverheadMs!.expected);
    const local = v.checks.filter((c) => c.measurement.metric === 'ttftMs' && !c.measurement.measuredVia);
    expect(local.some((c) => c.predicted!.expected < cat.efficiency.apiOverheadMs!.expected)).toBe(true);
  });
});

describe('vendor claims never lead unlabelled', () => {
  it('the landscape and the digest label a claim-only chip at the top, and mark every claim-only row', () => {
    const m = model('llama-3.1-70b');
    for (const reply of [landscapeReply(cat, m), buildDigest(cat, { model: m, postCount: 0, lastSnapshot: null, now: new Date('2026-11-30T09:00:00Z') }).reply]) {
      const top = reply.summary;
      const claimChips = cat.chips.filter((c) => cat.family(c).evidence === 'vendor claim').map((c) => c.name);
      // on Llama 3.1 70B at batch 1 a claim-only chip (d-Matrix, from its vendor's rows) is the fastest
      const named = claimChips.find((n) => top.includes(n));
      expect(named, top).toBeDefined();
      expect(top, top).toMatch(/vendor claim, not independently measured/);
    }
    const table = landscapeReply(cat, m).table!;
    const dmatrix = table.rows.find((r) => String(r[0]).startsWith('d-Matrix'))!;
    expect(dmatrix[0]).toMatch(/†/);
  });
});

describe('serving, not just a batch', () => {
  it('batch "max" stops at the latency target when it binds before memory does', () => {
    const loose = estimate(scenario(model('llama-3.1-8b'), chip('h100-sxm'), { chips: 1, batch: 'max', tpotTargetMs: null }));
    const tight = estimate(scenario(model('llama-3.1-8b'), chip('h100-sxm'), { chips: 1, batch: 'max', tpotTargetMs: 15 }));
    expect(tight.serving.limitedBy).toBe('latency target');
    expect(tight.batch).toBeLessThan(loose.batch);
    expect(tight.decode!.stepMs.expected).toBeLessThanOrEqual(15);
  });

  it('the latency target bounds the time per token users see, other users\' prefills included, and is nearly reached', () => {
    for (const [m, c, chips, target, input] of [['llama-3.1-8b', 'h100-sxm', 1, 15, 4000], ['llama-2-70b', 'b200', 8, 40, 1000]] as const) {
      const e = estimate(scenario(model(m), chip(c), { chips, batch: 'max', tpotTargetMs: target, inputTokens: input, outputTokens: 200 }));
      expect(e.serving.limitedBy).toBe('latency target');
      expect(e.decode!.msPerToken.expected).toBeLessThanOrEqual(target);
      const oneMore = estimate(scenario(model(m), chip(c), { chips, batch: e.batch + e.layout!.replicas, tpotTargetMs: target, inputTokens: input, outputTokens: 200, layout: e.layout! }));
      expect(oneMore.decode!.msPerToken.expected).toBeGreaterThan(target);
    }
  });

  it('the engine’s cap on concurrent sequences bounds batch "max"', () => {
    const e = estimate(scenario(model('llama-3.2-1b'), chip('h100-sxm'), { chips: 1, batch: 'max', tpotTargetMs: null, engineMaxBatch: 256 }));
    expect(e.batch).toBe(256);
    expect(e.serving.limitedBy).toBe('engine');
  });

  it('other users’ prefills stretch each user’s time per token under continuous batching', () => {
    const e = estimate(scenario(model('llama-3.1-8b'), chip('h100-sxm'), { chips: 1, batch: 64, inputTokens: 4000, outputTokens: 200 }));
    expect(e.decode!.msPerToken.expected).toBeGreaterThan(e.decode!.stepMs.expected * 1.2);
    const alone = estimate(scenario(model('llama-3.1-8b'), chip('h100-sxm'), { chips: 1, batch: 1, inputTokens: 4000, outputTokens: 200 }));
    expect(alone.decode!.msPerToken.expected).toBe(alone.decode!.stepMs.expected);
  });
});
