// /chip [name] — a chip's spec card with sources and vendor-claim labels; with no name, every chip.
import { z } from 'zod';
import type { Chip, Figure } from '../src/catalog/schema.ts';
import { FORMATS } from '../src/core/formats.ts';
import * as fmt from '../src/reply/format.ts';
import { answer, type Reply } from '../src/reply/reply.ts';
import type { Command, Context } from './command.ts';
import { citeAll, kindLabel } from '../src/views/cite.ts';
import { isReply, pickChip } from '../src/views/scenario.ts';

const Input = z.object({ name: z.string().optional() });

function fig(f: Figure | null | undefined, show: (v: number) => string): string {
  if (!f) return 'not published';
  const alt = f.alternatives?.length ? `; also reported: ${f.alternatives.map((a) => show(a.value)).join(', ')}` : '';
  return `${show(f.value)} (${kindLabel(f)}${alt})`;
}

/** What the chip holds under dense matmul load, which the model's compute rates stand on (catalog/matmul.ts). */
function sustainedLine(chip: Chip): string {
  const a = chip.achievableMatmul, m = chip.matmulFacts;
  const measured = (['bf16', 'fp8'] as const).flatMap((w) => {
    const f = a?.[w];
    const peak = w === 'bf16' ? chip.compute.bf16 ?? chip.compute.fp16 : chip.compute.fp8;
    return f ? [`${w.toUpperCase()}: ${fig(f, (v) => `${fmt.num(v)} TFLOPS${peak ? `, ${fmt.pct(v / peak.value)} of peak` : ''}`)}`] : [];
  });
  if (measured.length) return measured.join('\n');
  if (!m || (m.wide === 1 && m.narrow === 1)) return 'not measured; the model takes the peak';
  const share = m.wide === m.narrow ? fmt.pct(m.wide) : `${fmt.pct(m.wide)} (16-bit), ${fmt.pct(m.narrow)} (8-bit and narrower)`;
  return `${share} of peak assumed (${m.basis})`;
}

export function chipCard(chip: Chip, note?: string): Reply {
  const fields = [
    { name: 'Memory', value: chip.memory.map((t) => `${t.label}: ${fig(t.capacityGB, (v) => fmt.bytes(v * 1e9))} @ ${fig(t.bandwidthGBs, (v) => `${fmt.num(v / 1000)} TB/s`)}${t.servesInference ? '' : ' — not used for serving'}`).join('\n'), inline: false },
    { name: 'Dense compute', value: FORMATS.filter((f) => chip.compute[f]).map((f) => `${f.toUpperCase()}: ${fig(chip.compute[f], (v) => `${fmt.num(v)} ${f.startsWith('int') ? 'TOPS' : 'TFLOPS'}`)}`).join('\n') || 'not published', inline: false },
    { name: 'Sustained in large matmuls', value: sustainedLine(chip), inline: false },
    { name: 'Power', value: fig(chip.powerW, (v) => `${fmt.num(v)} W`), inline: true },
    { name: 'Links', value: `${chip.link.name}: ${fig(chip.link.bandwidthGBs, (v) => `${fmt.num(v)} GB/s per direction`)}; ${fig(chip.link.domainSize, (v) => `${fmt.num(v)} per scale-up domain`)}`, inline: true },
    { name: 'Runs', value: chip.runs.kind === 'any' ? 'any model' : chip.runs.kind === 'transformers' ? 'transformers only' : `only ${chip.runs.model} (${chip.runs.format}), hard-wired`, inline: true },
    { name: 'Serves in', value: chip.servingFormat.toUpperCase(), inline: true },
    { name: 'Spectrum', value: `${chip.spectrum.label} (${fmt.num(chip.spectrum.position, 2)} on 0 = flexible … 1 = one model)`, inline: true },
  ];
  const price = chip.price.hourlyUsd ?? chip.price.purchaseUsd;
  if (price) fields.push({ name: 'Price', value: chip.price.hourlyUsd ? fig(chip.price.hourlyUsd, (v) => `$${v.toFixed(2)}/h`) : fig(chip.price.purchaseUsd, (v) => `$${Math.round(v).toLocaleString('en-US')}`), inline: true });
  if (chip.status) fields.push({ name: 'Status', value: `${chip.status}${chip.announced ? ` (announced ${chip.announced})` : ''}`, inline: true });
  const sources = citeAll(chip.sources, 8);
  return answer(chip.name, `${chip.spectrum.label.replace(/^./, (c) => c.toUpperCase())} — a ${chip.unit} from ${chip.vendor}.`, {
    fields, notes: [...(note ? [note] : []), ...chip.notes], sources, data: chip,
  });
}

export function chipList(ctx: Context): Reply {
  const rows = [...ctx.catalog.chips].sort((a, b) => a.spectrum.position - b.spectrum.position).map((c) => {
    const fast = c.memory.find((t) => t.servesInference);
    return [c.id, c.name, fast ? `${fast.capacityGB ? fmt.bytes(fast.capacityGB.value * 1e9) : '?'} ${fast.label}` : '', c.runs.kind === 'any' ? 'anything' : c.runs.kind === 'transformers' ? 'transformers' : `only ${c.runs.model}`];
  });
  return answer('Chips I know', `${ctx.catalog.chips.length} chips, from the most flexible to the most specialised. \`/chip <name>\` for a spec card.`, {
    table: { columns: ['id', 'name', 'fast memory', 'runs'], rows }, data: ctx.catalog.chips.map((c) => ({ id: c.id, name: c.name, vendor: c.vendor, aliases: c.aliases })),
  });
}

export const chipCommand: Command<z.infer<typeof Input>> = {
  name: 'chip',
  description: 'A chip’s spec card with sources (no name: list every chip)',
  options: [{ name: 'name', description: 'Chip or vendor, e.g. wse-3, groq, mi300x', type: 'string', autocomplete: 'chip' }],
  input: Input,
  run(o, ctx) {
    if (!o.name) return chipList(ctx);
    const c = pickChip(ctx.catalog, o.name);
    return isReply(c) ? c : chipCard(c.item, c.note);
  },
};
