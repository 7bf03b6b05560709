// The share of its peak dense TFLOPS each chip sustains in large matmuls. A datasheet peak assumes the boost clock;
// under dense tensor work a chip settles at the clock its power budget holds (AMD measures its MI300X at 1,230 MHz of
// 2,100 under FP8 GEMM, the 1,000 W MI325X at 1,464 MHz). The fitted compute efficiencies stand against this sustained
// rate, so two chips of one family that differ only in power (MI300X and MI325X) differ in compute by that ratio.
import type { Chip, FitPlan, Measurement, NumberFormat } from './schema.ts';

const WIDE = new Set<NumberFormat>(['fp32', 'bf16', 'fp16']);

type Facts = NonNullable<Chip['matmulFacts']>;
interface Shares { wide: number; narrow: number }

/** The chip's own measured shares: 16-bit inputs and 8-bit-or-narrower inputs, each standing in for the other when only
 *  one was measured. Null without a measurement. */
function measuredShares(chip: Chip): Shares | null {
  const a = chip.achievableMatmul;
  const share = (fig: { value: number } | undefined, peak: { value: number } | null | undefined) =>
    fig && peak && peak.value > 0 ? Math.min(1, fig.value / peak.value) : null;
  const wide = share(a?.bf16, chip.compute.bf16 ?? chip.compute.fp16);
  const narrow = share(a?.fp8, chip.compute.fp8);
  if (wide === null && narrow === null) return null;
  return { wide: wide ?? narrow!, narrow: narrow ?? wide! };
}

/**
 * Each chip's sustained share of peak: measured; else the mean of the measured chips of its family; else, for a family
 * that borrows its compute efficiency, the share that efficiency was fitted at (the mean over the lender's fitting rows
 * of their chip's share at the row's width), so a borrowed efficiency keeps its footing; else 1.
 */
export function matmulFacts(chips: Chip[], plan: FitPlan, rows: Measurement[]): Map<string, Facts> {
  const own = new Map(chips.map((c) => [c.id, measuredShares(c)] as const));
  const chipById = new Map(chips.map((c) => [c.id, c] as const));
  const familyMean = (family: string): Facts | null => {
    const measured = chips.filter((c) => c.family === family && own.get(c.id));
    if (measured.length === 0) return null;
    const mean = (k: keyof Shares) => measured.reduce((s, c) => s + own.get(c.id)![k], 0) / measured.length;
    return { wide: mean('wide'), narrow: mean('narrow'), basis: `not measured: the mean of ${measured.map((c) => c.id).join(', ')}` };
  };
  const fittedAt = (family: string): Facts | null => {
    const ids = plan.families[family]?.fit.find((f) => f.constant === 'computeEfficiency')?.rows ?? [];
    const shares = ids.flatMap((id) => {
      const row = rows.find((r) => r.id === id);
      const chip = row && chipById.get(row.chip);
      const m = chip && (own.get(chip.id) ?? familyMean(chip.family));
      return m && row ? [WIDE.has(row.weights) ? m.wide : m.narrow] : [];
    });
    if (shares.length === 0) return null;
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    return { wide: mean, narrow: mean, basis: `not measured: the share on the ${family} rows its borrowed compute efficiency was fitted to` };
  };
  const out = new Map<string, Facts>();
  for (const chip of chips) {
    const m = own.get(chip.id);
    let facts: Facts | null = m ? { ...m, basis: 'measured' } : familyMean(chip.family);
    const seen = new Set<string>([chip.family]);
    for (let f = plan.families[chip.family]?.borrow.computeEfficiency; !facts && f && !seen.has(f); f = plan.families[f]?.borrow.computeEfficiency) {
      seen.add(f);
      facts = fittedAt(f);
    }
    out.set(chip.id, facts ?? { wide: 1, narrow: 1, basis: 'not measured, and no measured chip stands behind its compute efficiency: the peak' });
  }
  return out;
}
