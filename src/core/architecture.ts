// Architecture arithmetic over a catalogued `Model`: parameter counts, KV-cache / recurrent-state bytes and FLOPs.
// Pure functions, no I/O. Formulas follow shared/reference/models.md §3 (parameter count §3.1, KV cache §3.2,
// FLOPs §3.3). Everything per-model is derived once and memoised per model object (WeakMap plus a one-entry
// fast path), so the hot functions (decodeFlopsPerToken, kvBytesForContext, ...) do a lookup and a few
// multiply-adds and allocate nothing.
import type { Model } from '../catalog/schema.ts';

export interface ParamCounts {
  total: number;            // all parameters
  active: number;           // parameters used per token (k routed + shared experts, all non-expert weights, embedding + LM head)
  embedding: number;        // input embedding table V·d
  lmHead: number;           // 0 when tied
  expert: number;           // all routed-expert weights, all MoE layers
  expertPerLayerEach: number; // one routed expert in one layer (3·d·I_moe, + biases for gpt-oss)
  moeLayers: number;
  nonExpert: number;        // total - expert (attention, dense FFN, shared experts, router, norms, embeddings)
}

/** Everything the hot functions need, precomputed once per model object. */
export interface Derived {
  params: ParamCounts;
  /** parameters that take part in a matmul for one token: active weights (no norms/biases/sinks),
   *  excluding the input-embedding lookup, including the LM head (the embedding matrix again when tied) */
  matmulActive: number;
  /** FLOPs per token that do not depend on context: 2·matmulActive (+ SSM conv/scan work) */
  baseFlops: number;
  /** attention FLOPs per layer per attended token (GQA: 4·H·hd; MLA absorbed: 2·H·(2·kv_lora + rope)) */
  attnCoef: number;
  /** the same in prefill, where MLA runs uncompressed (per-head keys and values) rather than over the latent */
  attnCoefPrefill: number;
  /** KV-cache elements per layer per token (GQA: 2·KV·hd; MLA: kv_lora + rope; SSM: 0) */
  kvElemsPerLayer: number;
  /** layers keeping the full history / layers capped at `window` */
  fullLayers: number;
  localLayers: number;
  window: number;
  chunked: boolean;
  /** SSM fixed state elements per sequence (all layers) */
  stateElems: number;
  /** matmul parameters one token passes through in the routed experts (moeLayers · active · 3·d·ffn_expert) */
  expertMatmulActive: number;
  /** attention projection parameters, all layers (a matmul each token passes through) */
  attnMatmul: number;
  /** bytes one token's activations move through the kernels between the matmuls, all layers (see elementwiseBytes) */
  elementwise: ElementwiseBytes;
}

/**
 * Activation bytes per token outside the matmuls, with 16-bit activations and the usual fusions: per block a fused
 * residual-add + RMSNorm reads the residual and the block's output and writes both (8·d, twice a layer), each
 * projection writes its output and the next kernel reads it (QKV 4·(H+2·KV)·hd with RoPE in the attention preamble,
 * q and the attention output 8·H·hd, o-proj and down-proj 2·d each), and SwiGLU reads gate and up and writes their
 * product (12·I with the matmul traffic around it). A routed expert adds the token's permute and combine (8·d).
 * `replicated`: on every chip of a tensor-parallel group (the full hidden vector); `split`: divided over the group;
 * `routed`: divided over the chips holding experts.
 */
export interface ElementwiseBytes { replicated: number; split: number; routed: number }

/** activations are 16-bit between kernels */
const ACT_BYTES = 2;

const cache = new WeakMap<Model, Derived>();
let lastModel: Model | undefined;
let lastDerived: Derived | undefined;

function derived(m: Model): Derived {
  if (m === lastModel) return lastDerived as Derived;
  let d = cache.get(m);
  if (d === undefined) {
    d = derive(m);
    cache.set(m, d);
  }
  lastModel = m;
  lastDerived = d;
  return d;
}

function derive(m: Model): Derived {
  const d = m.hiddenSize;
  const L = m.layers;
  const V = m.vocabSize;
  const embedding = V * d;
  const lmHead = m.tieEmbeddings ? 0 : V * d;
  const normsPerLayer = m.normsPerLayer * d;
  const finalNorm = d;

  if (m.architecture === 'ssm') {
    const s = m.ssm;
    if (!s) throw new Error(`model ${m.id}: architecture "ssm" needs an \`ssm\` block`);
    // Mamba-1 block (state-spaces/mamba mamba_ssm/modules/mamba_simple.py): in_proj d→2·di (no bias),
    // depthwise conv1d di·k + bias di, x_proj di→(dt_rank + 2·d_state), dt_proj dt_rank→di + bias di,
    // A_log di·d_state, D di, out_proj di→d (no bias).
    const di = s.expand * d;
    const inProj = d * 2 * di;
    const xProj = di * (s.dtRank + 2 * s.dState);
    const dtProj = s.dtRank * di;
    const outProj = di * d;
    const matmulPerLayer = inProj + xProj + dtProj + outProj;
    const perLayer = matmulPerLayer + di * s.convKernel + di /* conv bias */ + di /* dt bias */ +
      di * s.dState /* A_log */ + di /* D */ + normsPerLayer;
    const total = embedding + lmHead + L * perLayer + finalNorm;
    const params: ParamCounts = Object.freeze({
      total, active: total, embedding, lmHead, expert: 0, expertPerLayerEach: 0, moeLayers: 0, nonExpert: total,
    });
    const matmulActive = L * matmulPerLayer + V * d;
    // per token per layer, outside matmuls: depthwise conv 2·di·k; selective-scan step (mamba_simple.py `step`):
    // dA = exp(dt·A), dB = dt·B, state = state·dA + x·dB, y = state·C → ≈ 6·di·d_state. Small next to 2·N.
    const ssmFlops = L * (2 * di * s.convKernel + 6 * di * s.dState);
    return {
      params, matmulActive, baseFlops: 2 * matmulActive + ssmFlops, attnCoef: 0, attnCoefPrefill: 0, kvElemsPerLayer: 0,
      fullLayers: 0, localLayers: 0, window: 0, chunked: false,
      stateElems: L * di * (s.convKernel + s.dState), expertMatmulActive: 0, attnMatmul: 0,
      // norms and residuals as a transformer layer's; in_proj's output written and read, out_proj's input
      elementwise: { replicated: L * 10 * d * ACT_BYTES, split: L * 4 * di * ACT_BYTES, routed: 0 },
    };
  }

  // ---- attention (per layer) ----
  const H = m.heads;
  const att = m.attention;
  let attnParams: number;
  let attnMatmul: number;
  let attnCoef: number;
  let attnCoefPrefill: number;
  let kvElemsPerLayer: number;
  let attnElementwise: number;
  if (att.kind === 'mla') {
    // DeepSeek-V3 inference/model.py MLA: wq_a d→q_lora, q_norm, wq_b q_lora→H·(nope+rope), wkv_a d→(kv_lora+rope),
    // kv_norm, wkv_b kv_lora→H·(nope+v), wo H·v→d.
    const qk = att.qkNopeHeadDim + att.qkRopeHeadDim;
    attnMatmul = d * att.qLoraRank + att.qLoraRank * H * qk + d * (att.kvLoraRank + att.qkRopeHeadDim) +
      att.kvLoraRank * H * (att.qkNopeHeadDim + att.vHeadDim) + H * att.vHeadDim * d;
    attnParams = attnMatmul + att.qLoraRank + att.kvLoraRank;
    // absorbed decode: scores over the latent+rope cache, value mix over the latent
    attnCoef = 2 * H * (att.kvLoraRank + att.qkRopeHeadDim) + 2 * H * att.kvLoraRank;
    // prefill decompresses the latent and attends per head (vLLM's "compute friendly" path): q·k over nope+rope, p·v
    attnCoefPrefill = 2 * H * qk + 2 * H * att.vHeadDim;
    kvElemsPerLayer = att.kvLoraRank + att.qkRopeHeadDim;
    attnElementwise = 2 * (H * qk + att.kvLoraRank + att.qkRopeHeadDim) * ACT_BYTES + 4 * H * att.vHeadDim * ACT_BYTES;
  } else {
    const hd = m.headDim;
    const KV = m.kvHeads;
    attnMatmul = d * H * hd + 2 * d * KV * hd + H * hd * d;
    attnParams = attnMatmul;
    if (m.qkvBias) attnParams += H * hd + 2 * KV * hd;
    if (m.gptOssExtras) attnParams += d /* o bias */ + H /* sinks */;
    if (m.qkNorm) attnParams += 2 * hd;
    attnCoef = 4 * H * hd;
    attnCoefPrefill = attnCoef;
    kvElemsPerLayer = 2 * KV * hd;
    attnElementwise = 2 * (H + 2 * KV) * hd * ACT_BYTES + 4 * H * hd * ACT_BYTES;
  }

  // ---- FFN / MoE ----
  const moe = m.moe;
  const moeLayers = moe ? moe.moeLayers : 0;
  if (moeLayers > L) throw new Error(`model ${m.id}: moe.moeLayers ${moeLayers} > layers ${L}`);
  const denseLayers = L - moeLayers;
  const denseFfn = 3 * d * m.intermediateSize;
  let expertEach = 0;
  let router = 0;
  let routerMatmul = 0;
  let shared = 0;
  let experts = 0;
  let active = 0;
  if (moe) {
    expertEach = 3 * d * moe.expertIntermediateSize +
      (m.gptOssExtras ? 2 * moe.expertIntermediateSize + d : 0);
    routerMatmul = d * moe.experts;
    router = routerMatmul + (m.gptOssExtras ? moe.experts : 0);
    shared = moe.sharedExperts * 3 * d * moe.sharedIntermediateSize;
    experts = moe.experts;
    active = moe.activeExperts;
  }

  const perLayerCommon = attnParams + normsPerLayer;
  const expert = moeLayers * experts * expertEach;
  const total = embedding + lmHead + finalNorm + L * perLayerCommon + denseLayers * denseFfn +
    moeLayers * (router + shared) + expert;
  const activeParams = total - moeLayers * (experts - active) * expertEach;
  const params: ParamCounts = Object.freeze({
    total,
    active: activeParams,
    embedding,
    lmHead,
    expert,
    expertPerLayerEach: expertEach,
    moeLayers,
    nonExpert: total - expert,
  });

  const activeExpertMatmul = moe ? active * 3 * d * moe.expertIntermediateSize : 0;
  const matmulActive = L * attnMatmul + denseLayers * denseFfn +
    moeLayers * (routerMatmul + shared + activeExpertMatmul) + V * d;

  const local = m.localAttention;
  const localLayers = local ? local.layerCount : 0;
  if (localLayers > L) throw new Error(`model ${m.id}: localAttention.layerCount ${localLayers} > layers ${L}`);

  return {
    params,
    matmulActive,
    baseFlops: 2 * matmulActive,
    attnCoef, attnCoefPrefill,
    kvElemsPerLayer,
    fullLayers: L - localLayers,
    localLayers,
    window: local ? local.window : 0,
    chunked: local ? local.kind === 'chunked' : false,
    stateElems: 0,
    expertMatmulActive: moeLayers * activeExpertMatmul,
    attnMatmul: L * attnMatmul,
    elementwise: {
      replicated: L * 10 * d * ACT_BYTES,
      split: L * attnElementwise + denseLayers * 6 * m.intermediateSize * ACT_BYTES +
        (moe ? moeLayers * moe.sharedExperts * 6 * moe.sharedIntermediateSize * ACT_BYTES : 0),
      routed: moe ? moeLayers * active * (6 * moe.expertIntermediateSize + 4 * d) * ACT_BYTES : 0,
    },
  };
}

/** The per-token facts the step arithmetic needs (read-only, cached per model). */
export function stepFacts(m: Model): Readonly<Derived> {
  return derived(m);
}

export function paramCounts(m: Model): ParamCounts {
  return derived(m).params;
}

/** KV-cache bytes one sequence holds at `contextTokens` (sliding/chunked layers capped at their window; MLA latent; 0 for SSM) */
export function kvBytesForContext(m: Model, bytesPerElement: number, contextTokens: number): number {
  const x = derived(m);
  const s = contextTokens > 0 ? contextTokens : 0;
  const capped = s < x.window ? s : x.window;
  return bytesPerElement * x.kvElemsPerLayer * (x.fullLayers * s + x.localLayers * capped);
}

/** bytes added per token: `allLayers` if every layer kept the full history; `growing` = only full/global layers (MLA: latent+rope key) */
export function kvBytesPerToken(m: Model, bytesPerElement: number): { allLayers: number; growing: number } {
  const x = derived(m);
  const perLayer = bytesPerElement * x.kvElemsPerLayer;
  return { allLayers: perLayer * (x.fullLayers + x.localLayers), growing: perLayer * x.fullLayers };
}

/** the `growing` part of kvBytesPerToken, without allocating */
export function kvGrowingBytesPerToken(m: Model, bytesPerElement: number): number {
  const x = derived(m);
  return bytesPerElement * x.kvElemsPerLayer * x.fullLayers;
}

/** fixed per-sequence state for SSM models (conv + ssm state), 0 for transformers */
export function stateBytesPerSequence(m: Model, bytesPerElement: number): number {
  return bytesPerElement * derived(m).stateElems;
}

/** matmul FLOPs for one new token at a given context (2·active matmul params incl. LM head, excl. embedding lookup, + attention 4·H·hd·Σ s_eff; MLA absorbed form)
 *  Windowed layers attend to min(s, W) tokens; for chunked layers that is the worst case (last token of a chunk). */
export function decodeFlopsPerToken(m: Model, contextTokens: number): number {
  const x = derived(m);
  const s = contextTokens > 0 ? contextTokens : 0;
  const capped = s < x.window ? s : x.window;
  return x.baseFlops + x.attnCoef * (x.fullLayers * s + x.localLayers * capped);
}

/** FLOPs to prefill a prompt of `promptTokens` (causal: attention term halved) */
export function prefillFlops(m: Model, promptTokens: number): number {
  const x = derived(m);
  const S = promptTokens > 0 ? promptTokens : 0;
  // Σ over query positions of attended tokens, continuous (S²/2) form:
  //   full layer: S²/2; sliding W: S²/2 while S ≤ W, then W²/2 + (S−W)·W; chunked W: n·W²/2 + r²/2 (S = n·W + r)
  let localSum = 0;
  if (x.localLayers > 0) {
    const W = x.window;
    if (x.chunked) {
      const n = Math.floor(S / W);
      const r = S - n * W;
      localSum = n * W * W * 0.5 + r * r * 0.5;
    } else {
      localSum = S <= W ? S * S * 0.5 : W * W * 0.5 + (S - W) * W;
    }
  }
  return x.baseFlops * S + x.attnCoefPrefill * (x.fullLayers * S * S * 0.5 + x.localLayers * localSum);
}
