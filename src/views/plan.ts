// /plan as a reply: per chip, the cheapest deployment meeting the targets at the load (or the closest it gets),
// then the winners by cost, power and latency headroom.
import type { Catalog } from '../catalog/load.ts';
import type { Chip, Model, NumberFormat } from '../catalog/schema.ts';
import { planChart } from '../charts/deploy.ts';
import { plan, type ChipPlan, type Deployment, type Limits, type Load, type Plan, type Targets } from '../core/plan.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Reply } from '../reply/reply.ts';
import { layoutLine, priceNote, priceSources, SWEPT_LAYOUTS, type PricedChip } from './deploy.ts';

export interface PlanAsk {
  model: Model;
  chips: PricedChip[];
  inputTokens: number;
  outputTokens: number;
  targets: Targets;
  load: Load;
  limits: Limits;
  weights?: NumberFormat;
  chunkTokens: number | null;
}

/** The bottleneck in one short word, for a narrow table. */
const BOUND: Record<Deployment['bottleneck'], string> = { 'memory bandwidth': 'memory', compute: 'compute', interconnect: 'link', 'latency floor': 'floor' };
const usd = (x: number | null) => (x === null ? 'unknown' : `$${fmt.num(x, 3)}`);
const loadText = (l: Load) => ('users' in l ? `${l.users.toLocaleString('en-US')} concurrent users` : `${fmt.num(l.requestsPerSecond)} requests/s`);

function deploymentLine(d: Deployment, chip: Chip): string {
  return `${fmt.count(d.chips, chip.unit)}: ${layoutLine(d.layout, chip)}, ${d.weights.toUpperCase()}, batch ${d.batch} per replica`;
}

function row(c: ChipPlan): string[] {
  const d = c.best;
  if (!d) {
    const near = c.closest;
    return [c.chip.id, 'none meets this', near ? `best ${fmt.num(near.perUser.expected)}` : '—', near?.ttftMs ? fmt.ms(near.ttftMs.expected) : '—', '', '', ''];
  }
  return [c.chip.id, `${d.chips.toLocaleString('en-US')} = ${d.layout.replicas}×${d.chipsPerReplica} ${d.weights.toUpperCase()} b${d.batch}`,
    fmt.num(d.perUser.expected), d.ttftMs ? fmt.ms(d.ttftMs.expected) : 'unknown',
    d.usdPerMillionTokens ? `$${fmt.num(d.usdPerMillionTokens.expected)}` : 'unknown',
    d.joulesPerToken ? fmt.num(d.joulesPerToken.expected) : 'unknown', BOUND[d.bottleneck]];
}

export function planReply(cat: Catalog, ask: PlanAsk): Reply {
  const result = plan({ model: ask.model, chips: ask.chips, inputTokens: ask.inputTokens, outputTokens: ask.outputTokens,
    reserveFraction: cat.efficiency.runtimeReserve.fraction, targets: ask.targets, load: ask.load, limits: ask.limits,
    serving: { chunkTokens: ask.chunkTokens }, weights: ask.weights });
  return planView(cat, ask, result);
}

export function planView(cat: Catalog, ask: PlanAsk, result: Plan): Reply {
  const t = ask.targets;
  const goal = `first token ≤ ${fmt.ms(t.ttftMs)}, ≥ ${fmt.num(t.perUser)} tokens/s per user, ${loadText(ask.load)}`;
  const title = `${ask.model.name}: cheapest deployment for ${goal}`;
  const met = result.chips.filter((c) => c.best);
  const chipOf = (id: string) => ask.chips.find((c) => c.chip.id === id)!.chip;
  const name = (id: string) => ask.chips.find((c) => c.chip.id === id)?.chip.name ?? id;
  let summary: string;
  const fields = [];
  if (!met.length) {
    const closest = result.chips.filter((c) => c.closest).sort((a, b) => b.closest!.perUser.expected - a.closest!.perUser.expected);
    summary = `**No deployment meets this** on any of the ${result.chips.length} chips considered.${closest.length ? ` The closest: ${closest.slice(0, 3).map((c) => `${c.chip.name} ${fmt.num(c.closest!.perUser.expected)} tok/s per user${c.closest!.ttftMs ? `, first token ${fmt.ms(c.closest!.ttftMs.expected)}` : ''}`).join('; ')}.` : ''}`;
  } else {
    const w = result.winners;
    const parts = [
      w.cost ? `cheapest: **${name(w.cost.chip)}** at ${usd(w.cost.usdPerHour)}/hour (${w.cost.usdPerMillionTokens ? `$${fmt.num(w.cost.usdPerMillionTokens.expected)}` : '?'} per M tokens)` : 'cheapest: unknown (no prices on one basis)',
      w.power ? `least power: **${name(w.power.chip)}** at ${fmt.num(w.power.kw ?? 0)} kW` : 'least power: unknown (no published power)',
      w.headroom ? `most latency headroom: **${name(w.headroom.chip)}** (its tighter target met ${fmt.num(w.headroom.headroom + 1, 2)}× over)` : '',
    ].filter(Boolean);
    summary = `${met.length} of ${result.chips.length} chips meet it. ${parts.join('; ')}.`;
    for (const [label, d] of [['By cost', w.cost], ['By power', w.power], ['By latency headroom', w.headroom]] as const) {
      if (!d) continue;
      fields.push({ name: `${label}: ${name(d.chip)}`, value: `${deploymentLine(d, chipOf(d.chip))}; ${fmt.range(d.perUser, 'tok/s')} per user, first token ${fmt.msRange(d.ttftMs)}; ${d.kw !== null ? `${fmt.num(d.kw)} kW, ` : ''}${d.usdPerHour !== null ? `${usd(d.usdPerHour)}/hour, ` : ''}bound by ${d.bottleneck}`, inline: false });
    }
  }
  const why = result.chips.filter((c) => !c.best && c.reason).map((c) => `${c.chip.name}: ${c.reason}`);
  const limits = [ask.limits.maxChips ? `at most ${ask.limits.maxChips.toLocaleString('en-US')} chips` : '', ask.limits.maxUsdPerHour ? `at most $${fmt.num(ask.limits.maxUsdPerHour)}/hour` : '', ask.limits.maxKw ? `at most ${fmt.num(ask.limits.maxKw)} kW` : ''].filter(Boolean);
  const notes = [
    `Per chip: the deployment with the fewest chips (so the lowest cost and power for that chip) among formats, ${SWEPT_LAYOUTS}, and batches (up to vLLM's default max-num-seqs on GPU-style chips, data/serving.json) that meet the targets${limits.length ? ` and ${limits.join(', ')}` : ''}; ${fmt.tokens(ask.inputTokens)} in / ${fmt.tokens(ask.outputTokens)} out. Targets are checked on the expected case against mean figures, with prefill interference${ask.chunkTokens ? ` (chunked prefill, ${ask.chunkTokens} tokens a step)` : ' (whole-prompt prefill)'}.`,
    'Table: total chips = replicas × chips per replica, weight format, batch per replica; tok/s per user; TTFT = time to first token; $ per million output tokens; joules per output token; bound = what sets the decode step (memory bandwidth, compute, link, or the per-layer latency floor).',
    priceNote(cat, ask.chips.map((c) => c.chip)),
    ...why,
  ];
  const data = {
    model: ask.model.id, targets: ask.targets, load: ask.load, limits: ask.limits, inputTokens: ask.inputTokens, outputTokens: ask.outputTokens,
    priceBasis: cat.prices.basis, winners: result.winners,
    chips: result.chips.map((c) => ({ chip: c.chip.id, meets: c.best !== null, deployment: c.best, closest: c.closest, reason: c.reason ?? null, evaluations: c.evaluations })),
  };
  const chart = planChart(`${ask.model.name}: ${goal}`, met.map((c) => c.best!).sort((a, b) => a.chips - b.chips)
    .map((d) => ({ chip: name(d.chip).replace(/\s*\(.*\)\s*$/, ''), chips: d.chips, kw: d.kw, usdPerHour: d.usdPerHour })));
  return answer(title, summary, {
    fields, notes, data, chart,
    table: { columns: ['chip', 'chips = replicas×each', 'tok/s', 'TTFT', '$/M tok', 'J/tok', 'bound'], rows: result.chips.map(row),
      align: ['left', 'left', 'right', 'right', 'right', 'right', 'left'] },
    sources: priceSources(cat, ask.chips.map((c) => c.chip)).slice(0, 8),
  });
}
