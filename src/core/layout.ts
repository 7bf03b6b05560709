// How a deployment is laid out: tensor parallel inside the scale-up domain, pipeline stages across domains,
// data-parallel replicas, expert parallelism for MoE — or the vendor's own rule where its compiler splits the model.
import type { Chip, ChipDeployment, Model, SplitRule } from '../catalog/schema.ts';

export type { ChipDeployment, SplitRule } from '../catalog/schema.ts';

export interface Layout {
  tensorParallel: number;
  pipelineStages: number;
  replicas: number;
  /** devices the routed experts are spread over (1 for dense models) */
  expertParallel: number;
  /** MoE only: the `tensorParallel` chips of a group run attention and the dense layers data-parallel (each chip its
   *  own sequences, with a whole copy of those weights) instead of splitting them; the experts are spread over them */
  attentionDataParallel?: boolean;
  /** with data-parallel attention: the scheduler holds prompts until every rank has one (TensorRT-LLM's
   *  attention_dp_config enable_balance), so no rank waits on another's prefill. Engines do not by default. */
  balancedPrefill?: boolean;
}

/** Which deployment a question without a chip count gets. */
export type DeploymentMode = 'fastest' | 'system' | 'fewest';

/** The chip's split rule and standard system (data/systems.json); a chip without one splits by tensor parallelism,
 *  or is one card when its model is hard-wired. */
export function chipDeployment(chip: Chip): ChipDeployment {
  return chip.deployment ?? { rule: chip.runs.kind === 'hardwired' ? 'single' : 'tensor-parallel', system: null };
}

export function chipsOf(l: Layout): number {
  return l.tensorParallel * l.pipelineStages * l.replicas;
}

/** Tensor-parallel degrees the model allows on this chip: divisors of the attention heads (SSM: powers of two), up to
 *  the scale-up domain and the chips at hand. */
export function tensorDegrees(model: Model, chip: Chip, maxChips: number): number[] {
  const domain = Math.max(1, chip.link.domainSize?.value ?? 1);
  const cap = Math.min(domain, maxChips);
  const out: number[] = [];
  if (model.architecture !== 'transformer' || model.heads === 0) {
    for (let t = 1; t <= cap; t *= 2) out.push(t);
    return out;
  }
  for (let t = 1; t <= cap && t <= model.heads; t++) if (model.heads % t === 0) out.push(t);
  return out;
}

/** Copies of each sequence's KV cache a tensor-parallel group of `t` chips stores: MLA's latent is shared by all
 *  heads, so every chip keeps all of it; GQA's KV heads split up to their count and repeat beyond it. Attention run
 *  data-parallel keeps one copy: each sequence lives on one chip. */
export function kvReplication(model: Model, t: number, attentionDataParallel = false): number {
  if (t <= 1 || attentionDataParallel || model.architecture !== 'transformer') return 1;
  if (model.attention.kind === 'mla') return t;
  return model.kvHeads > 0 && t > model.kvHeads ? t / model.kvHeads : 1;
}

/** The layout the vendor's compiler uses on `chips` chips (spatial and single rules), or null for tensor-parallel chips. */
export function vendorLayout(rule: SplitRule, model: Model, chips: number, perReplica: number): Layout | null {
  if (rule === 'tensor-parallel') return null;
  const replicaChips = Math.max(1, perReplica);
  const replicas = Math.max(1, Math.floor(chips / replicaChips));
  if (rule === 'single') return { tensorParallel: 1, pipelineStages: 1, replicas, expertParallel: 1 };
  // spatial: the smallest group of chips per stage that keeps the stages within the layer count
  let t = 1;
  while (replicaChips / t > model.layers || replicaChips % t !== 0) t++;
  return { tensorParallel: t, pipelineStages: replicaChips / t, replicas, expertParallel: model.moe ? t : 1 };
}

/** "TP8 × PP2 × 2 replicas (EP8)": the layout in one line. */
export function describeLayout(l: Layout, rule: SplitRule, unit: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const units = (x: number) => `${n(x)} ${x === 1 ? unit : `${unit}s`}`;
  if (rule === 'spatial') {
    const per = l.tensorParallel === 1 ? `one pipeline over ${units(l.pipelineStages)}` : `${n(l.pipelineStages)} stages of ${units(l.tensorParallel)} each`;
    return `${per} (the compiler's own split)${l.replicas > 1 ? ` × ${n(l.replicas)} replicas` : ''}`;
  }
  if (rule === 'single') return l.replicas > 1 ? `${n(l.replicas)} independent ${unit}s` : `one ${unit}`;
  const parts = [l.attentionDataParallel ? `attention DP${n(l.tensorParallel)}` : `TP${n(l.tensorParallel)}`];
  if (l.pipelineStages > 1) parts.push(`PP${n(l.pipelineStages)}`);
  let s = parts.join(' × ');
  if (l.replicas > 1) s += ` × ${n(l.replicas)} replicas`;
  if (l.expertParallel > 1) s += ` (EP${n(l.expertParallel)})`;
  if (l.attentionDataParallel && l.balancedPrefill) s += ', prompts balanced over the ranks';
  return s;
}
