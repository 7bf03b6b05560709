import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Model } from '../src/catalog/schema.ts';
import {
  decodeFlopsPerToken,
  kvBytesForContext,
  kvBytesPerToken,
  paramCounts,
  prefillFlops,
  stateBytesPerSequence,
  stepFacts,
} from '../src/core/architecture.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'models');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const models = files.map((f) => {
  const r = Model.safeParse(JSON.parse(readFileSync(join(DIR, f), 'utf8')));
  if (!r.success) throw new Error(`${f}: ${r.error.message}`);
  return { file: f, model: r.data };
});
const byId = new Map(models.map(({ model }) => [model.id, model]));
const get = (id: string): Model => {
  const m = byId.get(id);
  if (!m) throw new Error(`no model ${id}`);
  return m;
};

const REQUIRED = [
  'llama-2-7b', 'llama-2-70b', 'llama-3-8b', 'llama-3-70b', 'llama-3.1-8b', 'llama-3.1-70b', 'llama-3.1-405b',
  'llama-3.2-1b', 'llama-3.2-3b', 'llama-3.3-70b', 'llama-4-scout', 'llama-4-maverick', 'mistral-7b', 'mixtral-8x7b',
  'mixtral-8x22b', 'qwen2.5-7b', 'qwen2.5-72b', 'qwen3-8b', 'qwen3-32b', 'qwen3-235b-a22b', 'deepseek-v3',
  'deepseek-r1', 'kimi-k2', 'gpt-oss-20b', 'gpt-oss-120b', 'gemma-2-27b', 'gemma-3-27b',
];

describe('data/models catalogue', () => {
  it('every file parses through the Model schema and is named after its id', () => {
    expect(models.length).toBeGreaterThanOrEqual(REQUIRED.length + 1);
    for (const { file, model } of models) expect(file).toBe(`${model.id}.json`);
  });

  it('has every required model and at least one SSM model', () => {
    for (const id of REQUIRED) expect(byId.has(id), id).toBe(true);
    const ssm = models.filter(({ model }) => model.architecture === 'ssm').map(({ model }) => model);
    expect(ssm.length).toBeGreaterThanOrEqual(1);
    for (const m of ssm) {
      expect(m.ssm, m.id).toBeDefined();
      expect([m.heads, m.kvHeads, m.headDim]).toEqual([0, 0, 0]);
    }
  });

  it('aliases are lowercase and each belongs to exactly one model (and never shadows another id)', () => {
    const owner = new Map<string, string>();
    for (const { model } of models) {
      for (const a of model.aliases) {
        expect(a, `${model.id}: ${a}`).toBe(a.toLowerCase());
        expect(owner.get(a), `alias "${a}" on ${model.id} and ${owner.get(a)}`).toBeUndefined();
        owner.set(a, model.id);
      }
    }
    for (const id of byId.keys()) {
      const o = owner.get(id);
      if (o !== undefined) expect(o, `alias "${id}" is another model's id`).toBe(id);
    }
    const expected: Record<string, string> = {
      'llama-70b': 'llama-3.1-70b', 'llama 3.1 70b': 'llama-3.1-70b', 'llama3.1-70b': 'llama-3.1-70b',
      'llama-3.1-70b-instruct': 'llama-3.1-70b', 'meta-llama/llama-3.1-70b-instruct': 'llama-3.1-70b',
      'llama-8b': 'llama-3.1-8b', 'llama-405b': 'llama-3.1-405b', deepseek: 'deepseek-v3', r1: 'deepseek-r1',
      kimi: 'kimi-k2', k2: 'kimi-k2', 'gpt-oss': 'gpt-oss-120b', scout: 'llama-4-scout', maverick: 'llama-4-maverick',
      mixtral: 'mixtral-8x7b', mamba: 'mamba-2.8b',
    };
    for (const [alias, id] of Object.entries(expected)) expect(owner.get(alias), alias).toBe(id);
  });

  it('every figure cites source keys that exist in the file', () => {
    for (const { model } of models) {
      const figs = [model.published.totalParamsB, model.published.activeParamsB].filter((f) => f !== undefined);
      for (const f of figs) {
        const keys = [...f.sources, ...(f.alternatives ?? []).flatMap((a) => a.sources)];
        for (const k of keys) expect(model.sources[k], `${model.id}: source "${k}"`).toBeDefined();
      }
    }
  });
});

describe('paramCounts against published figures', () => {
  for (const { model: m } of models) {
    it(`${m.id}: computed total within 2% of published`, () => {
      const p = paramCounts(m);
      const pub = m.published.totalParamsB.value * 1e9;
      expect(Math.abs(p.total / pub - 1)).toBeLessThanOrEqual(0.02);
      expect(p.nonExpert + p.expert).toBe(p.total);
      expect(p.active).toBeLessThanOrEqual(p.total);
    });
    if (m.published.activeParamsB) {
      it(`${m.id}: computed active within 5% of published`, () => {
        const p = paramCounts(m);
        // OpenAI's gpt-oss "active" figures (5.1B / 3.6B) exclude the input-embedding table (README L18-19;
        // models.md §1b notes), so compare like with like: our active (which includes it) minus the embedding.
        const ours = m.family === 'gpt-oss' ? p.active - p.embedding : p.active;
        const pub = (m.published.activeParamsB?.value ?? NaN) * 1e9;
        expect(Math.abs(ours / pub - 1)).toBeLessThanOrEqual(0.05);
      });
    }
  }

  it('paramCounts is memoised per model object', () => {
    const m = get('llama-3.1-8b');
    expect(paramCounts(m)).toBe(paramCounts(m));
  });
});

describe('hand-worked cases', () => {
  it('Llama 3.1 70B: total 70,553,706,496 and 320 KiB KV per token at bf16', () => {
    const m = get('llama-3.1-70b');
    // 80·(8192·8192·2 + 2·8192·1024 + 3·8192·28672 + 2·8192) + 2·128256·8192 + 8192
    expect(paramCounts(m).total).toBe(70_553_706_496);
    expect(paramCounts(m).total / 1e9).toBeCloseTo(70.55, 2);
    expect(kvBytesPerToken(m, 2)).toEqual({ allLayers: 327_680, growing: 327_680 });
    expect(kvBytesForContext(m, 2, 131_072)).toBe(327_680 * 131_072); // 40 GiB
  });

  it('Llama 3.1 8B: 131,072 B/token; total equals the checkpoint count 8,030,261,248', () => {
    const m = get('llama-3.1-8b');
    expect(kvBytesPerToken(m, 2).allLayers).toBe(131_072);
    expect(paramCounts(m).total).toBe(8_030_261_248);
  });

  it('Llama 3.1 8B: activations move 20·d + 4·(H+2·KV)·hd + 8·H·hd + 12·I bytes a layer between the matmuls', () => {
    const e = stepFacts(get('llama-3.1-8b')).elementwise;
    expect(e.replicated).toBe(32 * 20 * 4096);
    expect(e.split).toBe(32 * (4 * (32 + 16) * 128 + 8 * 32 * 128 + 12 * 14336));
    expect(e.routed).toBe(0);
    // a routed expert adds its SwiGLU and the token's permute and combine, on the chips holding it
    const v3 = stepFacts(get('deepseek-v3')).elementwise;
    expect(v3.routed).toBe(58 * 8 * (12 * 2048 + 8 * 7168));
  });

  it('Llama 2 7B: MHA, total equals the checkpoint count 6,738,415,616, 512 KiB KV per token', () => {
    const m = get('llama-2-7b');
    expect(paramCounts(m).total).toBe(6_738_415_616);
    expect(kvBytesPerToken(m, 2).allLayers).toBe(2 * 32 * 128 * 2 * 32);
  });

  it('DeepSeek-V3: MLA KV = 61·576·2 = 70,272 B/token; MoE bookkeeping', () => {
    const m = get('deepseek-v3');
    expect(kvBytesPerToken(m, 2)).toEqual({ allLayers: 70_272, growing: 70_272 });
    expect(kvBytesForContext(m, 1, 1000)).toBe(61 * 576 * 1000);
    const p = paramCounts(m);
    expect(p.moeLayers).toBe(58);
    expect(p.expertPerLayerEach).toBe(3 * 7168 * 2048);
    expect(p.expert).toBe(58 * 256 * 3 * 7168 * 2048);
    expect(p.total).toBe(671_026_404_352);
    expect(p.active).toBe(37_552_282_624);
    expect(p.lmHead).toBe(129_280 * 7168);
  });

  it('gpt-oss-120b: 73,728 / 36,864 B/token and 131,072-token KV', () => {
    const m = get('gpt-oss-120b');
    expect(kvBytesPerToken(m, 2)).toEqual({ allLayers: 73_728, growing: 36_864 });
    expect(kvBytesForContext(m, 2, 131_072)).toBe(36_864 * 131_072 + 18 * 128 * 2048); // 4,836,556,800
    expect(kvBytesForContext(m, 2, 100)).toBe(73_728 * 100); // below the window every layer grows
    const p = paramCounts(m);
    expect(p.expertPerLayerEach).toBe(3 * 2880 * 2880 + 2 * 2880 + 2880);
    expect(p.total).toBe(116_829_156_672);
    expect((p.active - p.embedding) / 1e9).toBeCloseTo(5.13, 2);
  });

  it('Gemma 3 27B: only the 10 global layers grow (81,920 B/token)', () => {
    const m = get('gemma-3-27b');
    expect(kvBytesPerToken(m, 2)).toEqual({ allLayers: 507_904, growing: 81_920 });
    expect(kvBytesForContext(m, 2, 131_072)).toBe(81_920 * 131_072 + 52 * 1024 * 8192);
  });

  it('Mistral 7B: every layer is windowed, so the cache stops at 32·4096·4096 bytes', () => {
    const m = get('mistral-7b');
    expect(kvBytesPerToken(m, 2)).toEqual({ allLayers: 131_072, growing: 0 });
    // 32 layers × 4096 B/token/layer × 4096-token window = 536,870,912 B (512 MiB)
    expect(kvBytesForContext(m, 2, 100_000)).toBe(536_870_912);
    expect(kvBytesForContext(m, 2, 1000)).toBe(131_072_000);
    expect(decodeFlopsPerToken(m, 5000)).toBe(decodeFlopsPerToken(m, 100_000));
  });

  it('Llama 4 Scout: 36 chunked layers capped at 8192 tokens, 12 global layers grow', () => {
    const m = get('llama-4-scout');
    expect(kvBytesPerToken(m, 2)).toEqual({ allLayers: 196_608, growing: 49_152 });
    expect(kvBytesForContext(m, 2, 131_072)).toBe(49_152 * 131_072 + 36 * 4096 * 8192);
  });

  it('Mamba 2.8B (SSM): no KV cache, fixed conv+SSM state', () => {
    const m = get('mamba-2.8b');
    expect(m.architecture).toBe('ssm');
    expect(kvBytesPerToken(m, 2)).toEqual({ allLayers: 0, growing: 0 });
    expect(kvBytesForContext(m, 2, 100_000)).toBe(0);
    // 64 layers × d_inner 5120 × (conv 4 + state 16) × 2 B
    expect(stateBytesPerSequence(m, 2)).toBe(13_107_200);
    expect(paramCounts(m).total).toBe(2_768_345_600);
    expect(paramCounts(m).lmHead).toBe(0);
    // decode cost does not depend on context
    expect(decodeFlopsPerToken(m, 10)).toBe(decodeFlopsPerToken(m, 100_000));
    expect(decodeFlopsPerToken(m, 0)).toBeGreaterThan(2 * 2.6e9);
  });

  it('transformers hold no recurrent state', () => {
    expect(stateBytesPerSequence(get('llama-3.1-8b'), 2)).toBe(0);
  });
});

describe('FLOPs', () => {
  it('decode at zero context = 2 × matmul params (LM head in, embedding lookup and norms out)', () => {
    const m = get('llama-3.1-70b');
    const p = paramCounts(m);
    const norms = 80 * 2 * 8192 + 8192;
    expect(decodeFlopsPerToken(m, 0)).toBe(2 * (p.total - p.embedding - norms));
    expect(decodeFlopsPerToken(m, 0)).toBe(139_003_428_864);
  });

  it('decode grows with context by 4·H·hd per full layer per token (GQA) and by the absorbed MLA term', () => {
    const l = get('llama-3.1-70b');
    expect(decodeFlopsPerToken(l, 100_000)).toBeGreaterThan(decodeFlopsPerToken(l, 1000));
    expect(decodeFlopsPerToken(l, 2000) - decodeFlopsPerToken(l, 1000)).toBe(1000 * 4 * 64 * 128 * 80);
    const d = get('deepseek-v3');
    expect(decodeFlopsPerToken(d, 2000) - decodeFlopsPerToken(d, 1000)).toBe(1000 * 61 * 2 * 128 * (576 + 512));
    const g = get('gpt-oss-120b');
    // beyond the 128-token window only the 18 full layers add work
    expect(decodeFlopsPerToken(g, 2000) - decodeFlopsPerToken(g, 1000)).toBe(1000 * 18 * 4 * 64 * 64);
  });

  it('MoE decode uses active experts only', () => {
    const m = get('mixtral-8x7b');
    const p = paramCounts(m);
    const norms = 32 * 2 * 4096 + 4096;
    expect(decodeFlopsPerToken(m, 0)).toBe(2 * (p.active - p.embedding - norms));
  });

  it('prefill ≈ 2·N·S for short prompts, and matches the causal formula exactly', () => {
    const m = get('llama-3.1-8b');
    const p = paramCounts(m);
    const n = p.total - p.embedding; // matmul params incl. LM head (untied)
    const S = 16;
    expect(Math.abs(prefillFlops(m, S) / (2 * n * S) - 1)).toBeLessThan(0.001);
    const norms = 32 * 2 * 4096 + 4096;
    expect(prefillFlops(m, S)).toBe(2 * (n - norms) * S + 4 * 32 * 128 * 32 * (S * S) / 2);
    // a long prompt is dominated by more than the linear term
    expect(prefillFlops(m, 100_000)).toBeGreaterThan(2 * n * 100_000);
  });

  it('MLA prefill attends per head over decompressed keys and values (2·H·(nope+rope) + 2·H·v per pair), not over the latent', () => {
    const d = get('deepseek-v3');
    const S = 4096, S2 = 2 * S;
    const quad = (x: number) => 61 * x * x * 0.5;
    const perPair = (prefillFlops(d, S2) - 2 * prefillFlops(d, S) + 0) / (quad(S2) - 2 * quad(S));
    expect(perPair).toBeCloseTo(2 * 128 * (128 + 64) + 2 * 128 * 128, 6);
    // the absorbed form decode uses would be 3.4 times as much per pair
    expect(2 * 128 * (576 + 512) / perPair).toBeGreaterThan(3);
  });

  it('prefill caps windowed and chunked layers', () => {
    const mis = get('mistral-7b');
    const S = 8192;
    const perLayer = 4096 * 4096 / 2 + (S - 4096) * 4096;
    expect(prefillFlops(mis, S) - decodeFlopsPerToken(mis, 0) * S).toBe(4 * 32 * 128 * 32 * perLayer);
    const scout = get('llama-4-scout');
    const T = 20_000; // two full 8192-token chunks + 3616
    const chunked = 2 * 8192 * 8192 / 2 + 3616 * 3616 / 2;
    const attn = 4 * 40 * 128 * (12 * T * T / 2 + 36 * chunked);
    expect(prefillFlops(scout, T) - decodeFlopsPerToken(scout, 0) * T).toBe(attn);
  });
});
