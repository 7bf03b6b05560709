// /disagg with targets: goodput (requests/s served within both targets) of colocated A, colocated B and prefill on A
// with decode on B, per chip, per MW and per $, with NVIDIA's LPX claim shown beside the article's pairing.
import type { Catalog } from '../catalog/load.ts';
import type { Interconnect } from '../catalog/interconnects.ts';
import type { Model } from '../catalog/schema.ts';
import { goodputChart } from '../charts/deploy.ts';
import { goodput, type Goodput, type GoodputAnswer } from '../core/goodput.ts';
import type { Deployment, Targets } from '../core/plan.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Reply, type Source } from '../reply/reply.ts';
import { chipSources, dedupe } from './cite.ts';
import { priceNote, priceSources, type PricedChip } from './deploy.ts';

/** NVIDIA's claim for Vera Rubin NVL72 + Groq 3 LPX: a vendor claim, shown beside the model's figure, never fitted to. */
export const LPX_CLAIM = {
  factor: 35,
  text: 'up to 35× higher inference throughput per megawatt (and up to 10× more revenue opportunity) for trillion-parameter models, Vera Rubin NVL72 with Groq 3 LPX',
  baseline: 'the sentence does not name its baseline or interactivity; press coverage reports it against Blackwell NVL72 alone',
  source: { label: 'NVIDIA Technical Blog, “Inside NVIDIA Groq 3 LPX”, 2026-03-16', url: 'https://developer.nvidia.com/blog/inside-nvidia-groq-3-lpx-the-low-latency-inference-accelerator-for-the-nvidia-vera-rubin-platform' } satisfies Source,
};

export interface GoodputAsk {
  model: Model;
  a: PricedChip;
  b: PricedChip;
  inputTokens: number;
  outputTokens: number;
  targets: Targets;
  users: number;
  chunkTokens: number | null;
  /** the link the KV crosses, and how it was chosen; null = no interconnect data */
  link: { ic: Interconnect; why: string } | null;
}

/** A chip's name without its parenthesised system, short enough for a chart label. */
const short = (name: string) => name.replace(/\s*\(.*\)\s*$/, '');
const perMw = (g: Goodput | null) => (g?.perMw ? fmt.range(g.perMw) : 'unknown');

function colocatedRow(label: string, d: Deployment | null, g: Goodput | null, closest: Deployment | null): string[] {
  if (!d || !g) return [label, 'none meets the targets', closest ? `best ${fmt.num(closest.perUser.expected)}` : '—', closest?.ttftMs ? fmt.ms(closest.ttftMs.expected) : '—', '', '', '', ''];
  return [label, d.chips.toLocaleString('en-US'), fmt.num(d.perUser.expected), d.ttftMs ? fmt.ms(d.ttftMs.expected) : 'unknown',
    fmt.num(g.requestsPerSecond.expected), fmt.num(g.perChip.expected), g.perMw ? fmt.num(g.perMw.expected) : 'unknown', g.perUsd ? fmt.num(g.perUsd.expected) : 'unknown'];
}

export function goodputReply(cat: Catalog, ask: GoodputAsk): Reply {
  const r = goodput({ model: ask.model, a: ask.a, b: ask.b, inputTokens: ask.inputTokens, outputTokens: ask.outputTokens,
    reserveFraction: cat.efficiency.runtimeReserve.fraction, targets: ask.targets, users: ask.users, serving: { chunkTokens: ask.chunkTokens },
    link: coreLink(ask) });
  return goodputView(cat, ask, r);
}

export function goodputView(cat: Catalog, ask: GoodputAsk, r: GoodputAnswer): Reply {
  const A = ask.a.chip, B = ask.b.chip, d = r.disagg;
  const t = ask.targets;
  const title = `${ask.model.name}: goodput, ${A.name} and ${B.name}, colocated or split`;
  const rows = [
    colocatedRow(`colocated on ${A.id}`, r.colocatedA.deployment, r.colocatedA.goodput, r.colocatedA.closest),
    colocatedRow(`colocated on ${B.id}`, r.colocatedB.deployment, r.colocatedB.goodput, r.colocatedB.closest),
    d ? [`split: ${A.id} → ${B.id}`, `${(d.prefill.instances * d.prefill.chipsPerInstance).toLocaleString('en-US')} + ${(d.decode.replicas * d.decode.chipsPerReplica).toLocaleString('en-US')}`,
      fmt.num(d.perUser.expected), fmt.ms(d.ttftMs.expected), fmt.num(d.goodput.requestsPerSecond.expected), fmt.num(d.goodput.perChip.expected),
      d.goodput.perMw ? fmt.num(d.goodput.perMw.expected) : 'unknown', d.goodput.perUsd ? fmt.num(d.goodput.perUsd.expected) : 'unknown']
      : [`split: ${A.id} → ${B.id}`, 'no split meets the targets', '', '', '', '', '', ''],
  ];
  const fields = [];
  if (d) {
    const ic = ask.link?.ic;
    const latency = ic ? (ic.hopLatencyUs ?? ic.collectiveLatencyUs) : null;
    const link = ic && ic.bandwidthGBs && d.kvTransferMs
      ? `${fmt.bytes(d.kvBytes)} of KV per prompt over ${ic.name} (${fmt.num(ic.bandwidthGBs.value)} GB/s per port, ${d.lanes} in parallel${latency ? `, ${fmt.num(latency.value)} µs latency` : ', latency not published (left out)'}; ${ask.link!.why}): **${fmt.ms(d.kvTransferMs.expected)}**`
      : `${fmt.bytes(d.kvBytes)} of KV per prompt; **the link speed is unknown** (${ic ? `${ic.name} publishes no bandwidth` : 'no interconnect data loaded'}), so the hand-over is left out of the first token and the split's figures are optimistic`;
    fields.push({ name: 'KV hand-over', value: link, inline: false });
    fields.push({ name: 'The split', value: `${d.prefill.instances} prefill instance${d.prefill.instances === 1 ? '' : 's'} of ${fmt.count(d.prefill.chipsPerInstance, A.unit)} (${d.prefill.weights.toUpperCase()}, ${fmt.num(d.prefill.utilisation * 100, 2)}% busy, ${fmt.msRange(d.prefill.prefillMs)} a prompt); ${d.decode.replicas} decode replica${d.decode.replicas === 1 ? '' : 's'} of ${fmt.count(d.decode.chipsPerReplica, B.unit)} (${d.decode.weights.toUpperCase()}, batch ${d.decode.batch}, ${fmt.msRange(d.decode.stepMs)} a step)`, inline: false });
  } else if (r.disaggReason) fields.push({ name: 'The split', value: `No split meets the targets: ${r.disaggReason}.`, inline: false });
  const a = r.colocatedA.deployment;
  if (a) fields.push({ name: `Prefill interference on ${A.name}`, value: `at batch ${a.batch}, prefill scheduled into the decode steps slows each user to ${fmt.range(a.perUser, 'tok/s')}; a token can wait ${fmt.msRange(a.worstGapMs)} behind a prompt${ask.chunkTokens ? ` (chunks of ${ask.chunkTokens} tokens)` : ' (use `chunk` for chunked prefill)'}`, inline: false });

  const ratio = d?.goodput.perMw && r.colocatedA.goodput?.perMw ? d.goodput.perMw.expected / r.colocatedA.goodput.perMw.expected : null;
  const missingPower = [A, B].filter((c) => !c.powerW).map((c) => c.name);
  const isPair = A.id === 'rubin' && B.id === 'groq-3-lpu';
  if (isPair || ratio !== null) {
    const ours = ratio !== null ? `**${fmt.num(ratio, 2)}×** goodput per MW, split against ${A.name} alone` : `unknown per MW (${missingPower.length ? `power not published for ${missingPower.join(', ')}` : 'one side meets no target'})`;
    fields.push({ name: 'This model', value: ours, inline: false });
  }
  if (isPair) {
    const params = ask.model.published.totalParamsB.value;
    fields.push({ name: 'NVIDIA claim (vendor claim, not measured)', value: `${LPX_CLAIM.text}; ${LPX_CLAIM.baseline}.${params < 800 ? ` ${ask.model.name} (${fmt.num(params)}B) is not trillion-parameter class.` : ''}`, inline: false });
    fields.push({ name: 'What drives the difference', value: drivers(ask, r), inline: false });
  }
  const best = [['colocated on ' + A.name, r.colocatedA.goodput], ['colocated on ' + B.name, r.colocatedB.goodput], ['split', d?.goodput ?? null]] as const;
  const known = best.filter(([, g]) => g?.perMw).sort((x, y) => y[1]!.perMw!.expected - x[1]!.perMw!.expected);
  const summary = known.length
    ? `At ${ask.users.toLocaleString('en-US')} users, first token ≤ ${fmt.ms(t.ttftMs)} and ≥ ${fmt.num(t.perUser)} tok/s per user: most goodput per MW is **${known[0][0]}** (${perMw(known[0][1])} requests/s per MW).`
    : `At ${ask.users.toLocaleString('en-US')} users, first token ≤ ${fmt.ms(t.ttftMs)} and ≥ ${fmt.num(t.perUser)} tok/s per user: goodput per MW is unknown (${missingPower.length ? `power not published for ${missingPower.join(', ')}` : 'no deployment meets the targets'}); per chip in the table.`;
  const chart = goodputChart(`${ask.model.name}: goodput at ${ask.users.toLocaleString('en-US')} users`, [
    { label: `colocated on ${short(A.name)}`, g: r.colocatedA.goodput }, { label: `colocated on ${short(B.name)}`, g: r.colocatedB.goodput }, { label: `split: ${short(A.name)} → ${short(B.name)}`, g: d?.goodput ?? null },
  ].map(({ label, g }) => ({ label, perChip: g?.perChip ?? null, perMw: g?.perMw ?? null, perUsd: g?.perUsd ?? null })));
  return answer(title, summary, {
    fields, chart,
    table: { columns: ['deployment', 'chips', 'tok/s/user', 'first token', 'goodput req/s', 'per chip', 'per MW', 'per $'], rows, align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] },
    notes: [
      `Goodput: requests per second served within both targets, each deployment sized for the load with the fewest chips (the split: least power where both sides publish it, else least cost, else fewest chips). Mean figures on the expected case; ranges in --json. ${fmt.tokens(ask.inputTokens)} in / ${fmt.tokens(ask.outputTokens)} out. Per $ = requests per dollar.`,
      'Colocated serving pays prefill interference (decode steps stretched by the prompts scheduled into them, growing with the arrival rate and prompt length); the split pays the KV hand-over and an M/D/1 queue at the prefill pool.',
      priceNote(cat, [A, B]),
    ],
    sources: dedupe([...(isPair ? [LPX_CLAIM.source] : []), ...chipSources(A).slice(0, 2), ...chipSources(B).slice(0, 2), ...priceSources(cat, [A, B]), ...linkSources(ask)], 8),
    data: { model: ask.model.id, users: ask.users, targets: t, link: ask.link ? { id: ask.link.ic.id, bandwidthGBs: ask.link.ic.bandwidthGBs?.value ?? null, why: ask.link.why } : null,
      colocatedA: r.colocatedA, colocatedB: r.colocatedB, disagg: d, disaggReason: r.disaggReason ?? null, perMwRatioSplitOverA: ratio,
      claim: isPair ? { factor: LPX_CLAIM.factor, text: LPX_CLAIM.text, kind: 'vendor', source: LPX_CLAIM.source } : null, evaluations: r.evaluations },
  });
}

/** The link as the core takes it: a bandwidth and a latency (0 when unpublished, said in the answer); null when the speed is unknown. */
function coreLink(ask: GoodputAsk): { bandwidthGBs: number; latencyUs: number } | null {
  const ic = ask.link?.ic;
  if (!ic?.bandwidthGBs) return null;
  return { bandwidthGBs: ic.bandwidthGBs.value, latencyUs: (ic.hopLatencyUs ?? ic.collectiveLatencyUs)?.value ?? 0 };
}

function linkSources(ask: GoodputAsk): Source[] {
  if (!ask.link) return [];
  const ic = ask.link.ic;
  return [...(ic.bandwidthGBs?.sources ?? []), ...((ic.hopLatencyUs ?? ic.collectiveLatencyUs)?.sources ?? [])].map((k) => ic.sources[k]).filter(Boolean).map((s) => ({ label: `${ic.name}: ${s.title ?? s.url}, ${s.date}`, url: s.url }));
}

/** Why the model's ratio differs from the claim, from the figures themselves. */
function drivers(ask: GoodputAsk, r: GoodputAnswer): string {
  const parts: string[] = [];
  const a = r.colocatedA.deployment ?? r.colocatedA.closest, d = r.disagg;
  if (a && d) parts.push(`decode per user: ${fmt.num(d.perUser.expected)} tok/s on ${ask.b.chip.name} against ${fmt.num(a.perUser.expected)} on ${ask.a.chip.name} colocated (batch ${a.batch})`);
  if (d) parts.push(`${ask.b.chip.name} holds the weights in SRAM, so a decode replica takes ${fmt.count(d.decode.chipsPerReplica, ask.b.chip.unit)} against ${a ? fmt.count(a.chipsPerReplica, ask.a.chip.unit) : 'a few GPUs'}`);
  if (!ask.b.chip.powerW) parts.push(`${ask.b.chip.name}'s power is not published, so per-MW figures for anything using it stay unknown`);
  parts.push(`the claim's baseline (Blackwell NVL72, per press) and interactivity are not ours (${ask.a.chip.name} alone at ${fmt.num(ask.targets.perUser)} tok/s per user); the advantage of SRAM decode grows with the per-user target, because GPUs must shrink their batch to meet it`);
  return parts.join('; ') + '.';
}
