// A chip's compute stands on what it sustains in large matmuls, not on its datasheet peak (catalog/matmul.ts).
import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { matmulFacts } from '../src/catalog/matmul.ts';
import type { Chip } from '../src/catalog/schema.ts';
import { estimate } from '../src/core/estimate.ts';
import { defaultFormats, sustainedTflops } from '../src/core/formats.ts';
import { runCli } from '../src/platforms/local/cli.ts';

const cat = catalog();
const chip = (id: string): Chip => cat.chipById.get(id)!;
const share = (id: string, w: 'bf16' | 'fp8') => {
  const c = chip(id);
  const peak = w === 'bf16' ? c.compute.bf16! : c.compute.fp8!;
  return c.achievableMatmul![w]!.value / peak.value;
};

describe('sustained matmul share', () => {
  it('is the measured share where a chip was measured, each width standing in for the other', () => {
    expect(chip('mi300x').matmulFacts).toMatchObject({ wide: share('mi300x', 'bf16'), narrow: share('mi300x', 'bf16'), basis: 'measured' });
    expect(chip('h100-sxm').matmulFacts).toMatchObject({ wide: share('h100-sxm', 'bf16'), narrow: share('h100-sxm', 'fp8') });
    // same silicon, more power: the MI325X holds a higher clock under matmul load
    expect(chip('mi325x').matmulFacts!.wide).toBeGreaterThan(chip('mi300x').matmulFacts!.wide * 1.1);
  });

  it('is the mean of the measured chips of the family for an unmeasured one', () => {
    const mean = (['b200', 'b300', 'gb200'] as const).reduce((s, id) => s + share(id, 'fp8'), 0) / 3;
    expect(chip('gb300').matmulFacts!.narrow).toBeCloseTo(mean, 10);
    expect(chip('gb300').matmulFacts!.basis).toContain('b200, b300, gb200');
  });

  it('keeps a borrowed compute efficiency on the footing it was fitted at, through a chain of borrowing', () => {
    // Hopper's compute efficiency is fitted to FP8 rows on H100 and H200; Trainium borrows it, and Groq 3 borrows Groq's
    const rows = cat.plan.families['nvidia-hopper'].fit.find((f) => f.constant === 'computeEfficiency')!.rows;
    const footing = rows.map((id) => share(cat.measurements.find((m) => m.id === id)!.chip, 'fp8')).reduce((a, b) => a + b, 0) / rows.length;
    expect(chip('trainium2').matmulFacts).toMatchObject({ wide: footing, narrow: footing });
    expect(chip('groq-3-lpu').matmulFacts!.wide).toBeCloseTo(footing, 10);
  });

  it('is 1 where nothing measured stands behind the chip', () => {
    const lone = { ...chip('mi300x'), id: 'lone', family: 'lone', achievableMatmul: undefined };
    const facts = matmulFacts([lone], { ...cat.plan, families: { lone: { name: 'lone', fit: [], borrow: {}, assume: {} } } } as never, []);
    expect(facts.get('lone')).toMatchObject({ wide: 1, narrow: 1 });
  });

  it('scales the compute rates: MI325X prefills faster than MI300X by the ratio of what each sustains, and decodes batch 1 at its bandwidth', () => {
    const m = cat.modelById.get('llama-3.1-70b')!;
    const run = (id: string, input: number) => {
      const c = chip(id), f = defaultFormats(c, 'fp8');
      return estimate({ model: m, chip: c, family: cat.family(c), weights: f.weights, kv: f.kv, inputTokens: input, outputTokens: 128, batch: 1, chips: 1, reserveFraction: 0.1 });
    };
    const a = run('mi300x', 16000), b = run('mi325x', 16000);
    const ratio = a.prefill!.idleTtftMs!.expected / b.prefill!.idleTtftMs!.expected;
    const sustained = sustainedTflops(chip('mi325x'), 'fp8')! / sustainedTflops(chip('mi300x'), 'fp8')!;
    expect(sustained).toBeGreaterThan(1.1);
    expect(ratio).toBeGreaterThan(1.1);
    expect(Math.abs(ratio - sustained) / sustained).toBeLessThan(0.05);
    // batch-1 decode reads weights: the MI325X is faster by its bandwidth (6.0 against 5.3 TB/s), not by its clock
    const decode = run('mi300x', 100).decode!.tokensPerSecond.expected / run('mi325x', 100).decode!.tokensPerSecond.expected;
    expect(decode).toBeGreaterThan(5.3 / 6.0 - 0.03);
  });

  it('/compare says why one of two chips with the same peak prefills faster, and only when the shares differ clearly', async () => {
    const amd = await runCli(['compare', 'mi300x', 'mi325x', 'prefill']);
    expect(amd.stdout).toMatch(/datasheet peaks are the same, but under dense matmul load AMD Instinct MI325X holds 60% of it against 51% \(measured\)/);
    const nv = await runCli(['compare', 'h100', 'h200', 'prefill']);
    expect(nv.stdout).not.toMatch(/datasheet peaks are the same/);
  });

  it('shows on the chip card, with its basis', async () => {
    const measured = await runCli(['chip', 'mi325x']);
    expect(measured.stdout).toMatch(/Sustained in large matmuls: BF16: 785 TFLOPS, 60% of peak \(independent\)/);
    const assumed = await runCli(['chip', 'gb300']);
    expect(assumed.stdout).toMatch(/Sustained in large matmuls: .*of peak assumed \(not measured: the mean of b200, b300, gb200\)/);
  });
});
