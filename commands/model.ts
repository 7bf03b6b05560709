// /model [name] — a model's architecture card: parameters, attention, KV per token, sources; with no name, every model.
import { z } from 'zod';
import type { Model } from '../src/catalog/schema.ts';
import { kvBytesPerToken, paramCounts } from '../src/core/architecture.ts';
import * as fmt from '../src/reply/format.ts';
import { answer, type Reply } from '../src/reply/reply.ts';
import type { Command, Context } from './command.ts';
import { isReply, pickModel } from '../src/views/scenario.ts';

const Input = z.object({ name: z.string().optional() });

function attentionText(m: Model): string {
  if (m.architecture === 'ssm') return `none: state-space (Mamba) layers, state ${m.ssm?.dState ?? '?'} × expand ${m.ssm?.expand ?? '?'}`;
  const base = m.attention.kind === 'mla'
    ? `MLA (latent ${m.attention.kvLoraRank} + RoPE key ${m.attention.qkRopeHeadDim}), ${m.heads} heads`
    : `${m.heads} query heads, ${m.kvHeads} KV heads${m.kvHeads === m.heads ? ' (MHA)' : ' (GQA)'}, head dim ${m.headDim}`;
  const local = m.localAttention ? `; ${m.localAttention.layerCount} of ${m.layers} layers ${m.localAttention.kind} window ${fmt.tokens(m.localAttention.window)}` : '';
  return base + local;
}

export function modelCard(m: Model): Reply {
  const p = paramCounts(m);
  const kv = kvBytesPerToken(m, 2);
  const pub = m.published;
  const fields = [
    { name: 'Parameters', value: `${fmt.num(p.total / 1e9, 4)}B computed from the architecture (published: ${fmt.num(pub.totalParamsB.value)}B)${m.moe ? `\n${fmt.num(p.active / 1e9)}B active per token${pub.activeParamsB ? ` (published: ${fmt.num(pub.activeParamsB.value)}B)` : ''}` : ''}`, inline: false },
    { name: 'Layers', value: `${m.layers} × hidden ${m.hiddenSize.toLocaleString('en-US')}`, inline: true },
    { name: 'Context', value: `${fmt.tokens(m.maxContext)} tokens`, inline: true },
    { name: 'Attention', value: attentionText(m), inline: false },
    { name: 'KV cache (BF16)', value: m.architecture === 'ssm' ? 'none (fixed state per sequence)' : kv.growing === kv.allLayers ? `${fmt.kib(kv.allLayers)}/token` : `${fmt.kib(kv.growing)}/token once the windowed layers are full (${fmt.kib(kv.allLayers)}/token if every layer kept everything)`, inline: false },
  ];
  if (m.moe) fields.push({ name: 'Mixture of experts', value: `${m.moe.experts} experts, ${m.moe.activeExperts} active per token${m.moe.sharedExperts ? ` + ${m.moe.sharedExperts} shared` : ''}, in ${m.moe.moeLayers} of ${m.layers} layers`, inline: false });
  fields.push({ name: 'Released as', value: m.releasedFormat, inline: true });
  const sources = Object.entries(m.sources).slice(0, 6).map(([k, s]) => ({ label: `${k}: ${s.title ?? s.url} (${s.date})`, url: s.url }));
  return answer(m.name, `${m.architecture === 'ssm' ? 'State-space (non-transformer)' : m.moe ? 'Mixture-of-experts transformer' : 'Dense transformer'}, ${fmt.num(p.total / 1e9)}B parameters.`, {
    fields, notes: m.notes, sources, data: { ...m, computed: p },
  });
}

export function modelList(ctx: Context): Reply {
  const rows = ctx.catalog.models.map((m) => {
    const p = paramCounts(m);
    return [m.id, m.name, `${fmt.num(p.total / 1e9)}B`, m.moe ? `${fmt.num(p.active / 1e9)}B` : '', m.architecture === 'ssm' ? 'SSM' : m.attention.kind === 'mla' ? 'MLA' : 'GQA/MHA'];
  });
  return answer('Models I know', `${ctx.catalog.models.length} models. \`/model <name>\` for an architecture card.`, {
    table: { columns: ['id', 'name', 'params', 'active', 'attention'], rows, align: ['left', 'left', 'right', 'right', 'left'] },
    data: ctx.catalog.models.map((m) => ({ id: m.id, name: m.name, aliases: m.aliases })),
  });
}

export const modelCommand: Command<z.infer<typeof Input>> = {
  name: 'model',
  description: 'A model’s architecture card with sources (no name: list every model)',
  options: [{ name: 'name', description: 'Model, e.g. llama-3.1-70b, deepseek-v3', type: 'string', autocomplete: 'model' }],
  input: Input,
  run(o, ctx) {
    if (!o.name) return modelList(ctx);
    const m = pickModel(ctx.catalog, o.name);
    return isReply(m) ? m : modelCard(m.item);
  },
};
