// Two chips side by side: who is faster at prefill or decode, and why — for /compare and its buttons.
import type { Catalog } from '../catalog/load.ts';
import type { Chip } from '../catalog/schema.ts';
import { compareChart } from '../charts/specs.ts';
import { estimate, type Estimate } from '../core/estimate.ts';
import type { DeploymentMode } from '../core/layout.ts';
import * as fmt from '../reply/format.ts';
import { answer, type Reply } from '../reply/reply.ts';
import { chipSources, dedupe } from './cite.ts';
import { DEFAULT_INPUT, DEFAULT_OUTPUT, TYPICAL_BATCH } from './defaults.ts';
import { estimateData, evidenceNote, servedNote } from './estimate.ts';
import { buildScenario, isReply, pickChip } from './scenario.ts';
import { BOUND, shortName } from './landscape.ts';

const clipName = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export const PHASES = ['prefill', 'decode', 'both'] as const;
export type Phase = (typeof PHASES)[number];

export interface Side { chip: Chip; one: Estimate; typical: Estimate; note?: string; served?: string }

/** Per-user figures at batch 1 and aggregate at a typical batch, as few chips as fit. */
/** What each deployment mode means, for the note under a comparison. */
export const MODE_TEXT: Record<DeploymentMode, string> = {
  fastest: 'the fastest layout per user within the fewest standard systems that hold the model (an 8-GPU server, an NVL72 rack, a GroqRack, CS-3 systems, a Corsair server, a Sohu server)',
  system: 'whole standard systems laid out for throughput (replicas fill the system)',
  fewest: 'the fewest chips that hold the model',
};

/** "TP8", "TP4×PP2 ×3", "compiler's split", "1 card": the layout in a table cell. */
export function compactLayout(e: Estimate): string {
  const l = e.layout, d = e.deployment;
  if (!l || !d) return '';
  if (d.rule === 'spatial') return `${l.pipelineStages.toLocaleString('en-US')}×${l.tensorParallel} split${l.replicas > 1 ? ` ×${l.replicas}` : ''}`;
  if (d.rule === 'single') return l.replicas > 1 ? `${l.replicas} cards` : '1 card';
  return `${l.attentionDataParallel ? 'DP' : 'TP'}${l.tensorParallel}${l.pipelineStages > 1 ? `×PP${l.pipelineStages}` : ''}${l.replicas > 1 ? ` ×${l.replicas}` : ''}${l.expertParallel > 1 ? ` EP${l.expertParallel}` : ''}`;
}

export function side(cat: Catalog, chipText: string, modelText: string, mode: DeploymentMode = 'fastest'): Side | Reply {
  const c = pickChip(cat, chipText);
  if (isReply(c)) return c;
  const built = buildScenario(cat, { model: modelText, chip: c.item.id }, { input: DEFAULT_INPUT, output: DEFAULT_OUTPUT });
  if (isReply(built)) return built;
  built.scenario.mode = mode;
  const one = estimate(built.scenario);
  // the aggregate is quoted at a typical batch, on as many chips as that batch needs; where no deployment
  // holds it (hard-wired or capped chips), at the largest batch the batch-1 deployment holds
  // unknown memory (Taalas' KV SRAM) means no batch beyond 1 can be claimed
  let typical = one.fit.maxBatchAtContext === null ? one : estimate({ ...built.scenario, batch: TYPICAL_BATCH });
  if (!typical.decode) {
    const fitAt = one.fit.maxBatchAtContext;
    typical = estimate({ ...built.scenario, batch: fitAt === null ? 1 : Math.max(1, Math.min(TYPICAL_BATCH, fitAt)), chips: one.chips });
  }
  return { chip: c.item, one, typical, note: c.note, served: servedNote(cat, one) ?? undefined };
}

function decodeWhy(win: Side, lose: Side): string {
  const w = win.one.decode!, l = lose.one.decode!;
  const ratio = w.tokensPerSecondPerUser.expected / l.tokensPerSecondPerUser.expected;
  const wT = w.termsMs, lT = l.termsMs;
  const onChip = win.one.fit.tiers.length > 0 && win.one.fit.tiers.every((t) => t.weightsBytes === 0 || t.tier.kind === 'sram');
  const held = `${lose.chip.name} is held by ${l.bottleneck === 'latency floor' ? 'its per-layer fixed time' : l.bottleneck} (${fmt.ms(Math.max(lT.memory, lT.compute, lT.interconnect, lT.latencyFloor))} of its ${fmt.ms(l.msPerToken.expected)} step)`;
  let why: string;
  if (w.bottleneck !== 'latency floor') {
    why = `each step is set by ${w.bottleneck} (${fmt.ms(w.msPerToken.expected)}), against ${fmt.ms(l.msPerToken.expected)} on ${lose.chip.name}, held by ${l.bottleneck}`;
  } else if (win.chip.runs.kind === 'hardwired' || onChip) {
    const where = win.chip.runs.kind === 'hardwired' ? 'its weights are hard-wired into the silicon'
      : `its weights sit in on-chip memory spread over ${fmt.count(win.one.chips, win.chip.unit)}`;
    why = `${where}, so a step costs little beyond the per-layer floor (${fmt.ms(wT.latencyFloor)} of its ${fmt.ms(w.msPerToken.expected)} step), while ${held}`;
  } else if (l.bottleneck === 'latency floor') {
    // both held by kernel launches and synchronisation: the rest of the step decides
    why = `both spend most of a step on per-layer fixed time (kernel launches and synchronisation), ${fmt.ms(wT.latencyFloor)} here against ${fmt.ms(lT.latencyFloor)}, and the rest of a step takes ${fmt.ms(w.msPerToken.expected - wT.latencyFloor)} against ${fmt.ms(l.msPerToken.expected - lT.latencyFloor)}`;
  } else {
    why = `its weights, split over ${fmt.count(win.one.chips, win.chip.unit)}, stream fast enough that per-layer fixed time sets the pace (${fmt.ms(wT.latencyFloor)} of its ${fmt.ms(w.msPerToken.expected)} step), while ${held}`;
  }
  return `**${win.chip.name}** is ${fmt.num(ratio, 2)}× faster per user at decode: ${why}.`;
}

function prefillWhy(win: Side, lose: Side): string {
  const w = win.one.prefill!.ttftMs!, l = lose.one.prefill!.ttftMs!;
  const bound = win.one.prefill!.bottleneck;
  const what = bound === 'memory bandwidth' ? 'more memory bandwidth' : bound === 'compute' ? 'more usable compute' : bound === 'interconnect' ? 'faster links' : 'less fixed time per layer';
  const base = `**${win.chip.name}** reaches the first token ${fmt.num(l.expected / w.expected, 2)}× sooner: prefill is ${bound}-bound, and it brings ${what} across ${fmt.count(win.one.chips, win.chip.unit)} than ${lose.chip.name} does across ${fmt.count(lose.one.chips, lose.chip.unit)}.`;
  return bound === 'compute' ? base + sustainedWhy(win.chip, lose.chip) : base;
}

/** Two chips with one datasheet peak that sustain different shares of it under matmul load (MI300X and MI325X). */
function sustainedWhy(win: Chip, lose: Chip): string {
  const peak = (c: Chip) => c.compute.fp8?.value ?? c.compute.bf16?.value ?? null;
  const a = win.matmulFacts, b = lose.matmulFacts, pw = peak(win), pl = peak(lose);
  if (!a || !b || pw === null || pl === null || Math.abs(pw - pl) / pl > 0.02 || a.narrow <= b.narrow * 1.1) return '';
  return ` Their datasheet peaks are the same, but under dense matmul load ${win.name} holds ${fmt.pct(a.narrow)} of it against ${fmt.pct(b.narrow)} (${a.basis === 'measured' && b.basis === 'measured' ? 'measured' : 'partly assumed; /chip shows the basis'}): a higher clock within its power budget.`;
}

export function compareReply(A: Side, B: Side, phase: Phase, modelName: string, mode: DeploymentMode = 'fastest'): Reply {
  const title = `${A.chip.name} vs ${B.chip.name} — ${modelName}`;
  const notes = [A.note, B.note, A.served, B.served, evidenceNote(A.one), evidenceNote(B.one)].filter((n): n is string => !!n);
  // one short value per cell, so two chips sit side by side in a narrow embed or page
  const col = (s: Side) => {
    const e = s.one, t = s.typical;
    if (!e.decode) return [e.fit.refused ? 'cannot run it' : 'does not fit', '', '', '', '', '', '', '', '', ''];
    return [
      fmt.range(e.decode.tokensPerSecondPerUser, 'tok/s'),
      e.decode.bottleneck,
      fmt.range(t.decode?.tokensPerSecond, 'tok/s'),
      e.prefill?.ttftMs ? fmt.msRange(e.prefill.ttftMs) : 'unknown',
      e.prefill?.bottleneck ?? 'unknown',
      t.chips === e.chips ? fmt.count(e.chips, s.chip.unit) : `${e.chips.toLocaleString('en-US')} / ${fmt.count(t.chips, s.chip.unit)}`,
      t.energy.joulesPerToken ? fmt.range(t.energy.joulesPerToken, 'J') : 'unknown',
      t.cost.usdPerMillionTokens ? fmt.range(t.cost.usdPerMillionTokens, '$/M') : 'unknown',
      String(t.batch),
      compactLayout(e),
    ];
  };
  // Discord's narrow embed: the expected figure only (the chart shows the ranges), short labels and names
  const brief = (s: Side) => {
    const e = s.one, t = s.typical;
    if (!e.decode) return [e.fit.refused ? 'cannot run it' : 'does not fit', '', '', '', '', '', '', '', '', ''];
    const n = (r: { expected: number } | null | undefined, u: string) => (r ? `${fmt.num(r.expected)} ${u}` : 'unknown');
    return [
      n(e.decode.tokensPerSecondPerUser, 'tok/s'), BOUND[e.decode.bottleneck] ?? e.decode.bottleneck, n(t.decode?.tokensPerSecond, 'tok/s'),
      e.prefill?.ttftMs ? fmt.ms(e.prefill.ttftMs.expected) : 'unknown', e.prefill?.bottleneck ? BOUND[e.prefill.bottleneck] ?? e.prefill.bottleneck : 'unknown',
      t.chips === e.chips ? e.chips.toLocaleString('en-US') : `${e.chips.toLocaleString('en-US')} / ${t.chips.toLocaleString('en-US')}`,
      n(t.energy.joulesPerToken, 'J'), n(t.cost.usdPerMillionTokens, '$/M'), String(t.batch), compactLayout(e),
    ];
  };
  const briefLabels = ['Per user', 'Decode bound', 'Aggregate', 'First token', 'Prefill bound', 'Chips', 'J/token', '$/M tokens', 'Batch', 'Layout'];
  const labels = ['Per user (batch 1)', 'Decode bound by', 'Aggregate', 'First token', 'Prefill bound by', 'Chips (batch 1 / aggregate)', 'Energy per token', 'Cost per M tokens', 'Aggregate batch', 'Layout (batch 1)'];
  const rowsWanted = phase === 'prefill' ? [3, 4, 9, 5, 6, 7] : phase === 'decode' ? [0, 1, 2, 8, 9, 5, 6, 7] : [0, 1, 2, 8, 3, 4, 9, 5, 6, 7];
  const ca = col(A), cb = col(B);
  const rows = rowsWanted.map((i) => [labels[i], ca[i], cb[i]]);
  const ba = brief(A), bb = brief(B);
  const narrowName = (c: Chip) => clipName(shortName(c.name), 17);
  const narrow = { columns: ['', narrowName(A.chip), narrowName(B.chip)], rows: rowsWanted.map((i) => [briefLabels[i], ba[i], bb[i]]), align: ['left', 'right', 'right'] as ('left' | 'right')[] };

  const verdicts: string[] = [];
  const both = A.one.decode && B.one.decode;
  if (!A.one.decode || !B.one.decode) {
    for (const s of [A, B]) if (!s.one.decode) { const why = (s.one.fit.reason ?? 'cannot serve it').replace(/\.$/, ''); verdicts.push(why.startsWith(s.chip.name) ? `${why}.` : `${s.chip.name}: ${why}.`); }
  }
  if (both && phase !== 'prefill') {
    const [w, l] = A.one.decode!.tokensPerSecondPerUser.expected >= B.one.decode!.tokensPerSecondPerUser.expected ? [A, B] : [B, A];
    verdicts.push(decodeWhy(w, l));
  }
  if (both && phase !== 'decode') {
    if (A.one.prefill?.ttftMs && B.one.prefill?.ttftMs) {
      const [w, l] = A.one.prefill.ttftMs.expected <= B.one.prefill.ttftMs.expected ? [A, B] : [B, A];
      verdicts.push(prefillWhy(w, l));
    } else verdicts.push('Time to first token is unknown where a chip’s compute is unpublished.');
  }
  const summary = verdicts.join(' ') || 'Neither chip can serve this model.';
  const buttons = PHASES.map((p) => ({ id: `compare:${p}:${A.chip.id}:${B.chip.id}:${A.one.model.id}${mode === 'fastest' ? '' : `:${mode}`}`, label: p === 'both' ? 'Both' : p[0].toUpperCase() + p.slice(1), active: p === phase }));
  const chart = both ? compareChart([A, B].map((s) => ({ chip: s.chip.name, e: s.one })), phase) : undefined;
  return answer(title, summary, {
    table: { columns: ['', A.chip.name, B.chip.name], rows, align: ['left', 'right', 'right'], narrow },
    chart, buttons, notes: [...notes, `Per user at batch 1 on ${MODE_TEXT[mode]}: ${A.chip.name} as ${A.one.deployment?.line ?? 'no deployment'}, ${B.chip.name} as ${B.one.deployment?.line ?? 'no deployment'}; ${fmt.tokens(DEFAULT_INPUT)} in / ${fmt.tokens(DEFAULT_OUTPUT)} out. Aggregate, energy and cost at batch ${TYPICAL_BATCH}. Ranges span the fitted efficiency constants.`],
    sources: dedupe([...chipSources(A.chip).slice(0, 3), ...chipSources(B.chip).slice(0, 3)]),
    data: { phase, model: A.one.model, a: { one: estimateData(A.one), typical: estimateData(A.typical) }, b: { one: estimateData(B.one), typical: estimateData(B.typical) } },
  });
}

