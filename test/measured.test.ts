// Beside an estimate, what was published for that model on that chip, with the model's own figure for each run.
import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { runCli } from '../src/platforms/local/cli.ts';
import { toDiscord } from '../src/reply/discord.ts';
import { toSlack } from '../src/reply/slack.ts';
import { estimate } from '../src/core/estimate.ts';
import { defaultFormats } from '../src/core/formats.ts';
import { estimateReply } from '../src/views/estimate.ts';
import { measuredField, measuredPoints } from '../src/views/measured.ts';
import { runValidation } from '../src/views/validation.ts';

const cat = catalog();

describe('published measurements beside an estimate', () => {
  const checks = new Map(runValidation(cat).checks.map((c) => [c.measurement.id, c]));

  it('picks the runs on the asked chip count first, then near the asked concurrency, then the newest; each predicted as npm run validate predicts it', () => {
    const rowOf = (id: string) => cat.measurements.find((x) => x.id === id)!;
    const points = measuredPoints(cat, 'deepseek-r1', 'b200', 8, 4096, 3);
    expect(points).toHaveLength(3);
    for (const p of points) {
      const m = rowOf(p.id);
      expect([m.model, m.chip, m.chips]).toEqual(['deepseek-r1', 'b200', 8]);
      expect(p.error).toBeCloseTo(checks.get(p.id)!.error!, 9);
      expect(p.predicted).toBeCloseTo(checks.get(p.id)!.predicted!.expected, 6);
      // throughput runs for a throughput question: hundreds of sequences or more
      expect(m.batch === 'max' || (m.batch as number) >= 1024).toBe(true);
    }
    const dates = points.map((p) => p.date);
    expect([...dates].sort().reverse()).toEqual(dates);
    // nothing dated on 8 GPUs is newer than the first pick
    const newest = cat.measurements.filter((m) => m.model === 'deepseek-r1' && m.chip === 'b200' && m.chips === 8).map((m) => m.source.date.slice(0, 10)).filter((d) => /^\d{4}-/.test(d)).sort().reverse()[0];
    expect(dates[0]).toBe(newest);
    // a question at batch 1 gets the batch-1 runs, not the newest throughput runs
    const one = measuredPoints(cat, 'deepseek-r1', 'b200', 8, 1);
    expect(one.map((p) => rowOf(p.id).batch)).toEqual([1, 1]);
    // asked for 4 GPUs, the 4-GPU run comes first
    expect(measuredPoints(cat, 'deepseek-r1', 'b200', 4, 4096)[0].chips).toBe(4);
  });

  it('the field says what was measured, where, and how far the model is from it; a fitted row says so', () => {
    const r1 = measuredPoints(cat, 'deepseek-r1', 'b200', 8, 4096);
    const f = measuredField('NVIDIA B200', r1)!;
    expect(f.name).toBe('Published for this model on NVIDIA B200');
    const lines = f.value.split('\n');
    expect(lines).toHaveLength(r1.length);
    r1.forEach((p, i) => {
      expect(lines[i]).toContain(`](${p.url})`);
      const err = Math.round(Math.abs(p.error!) * 100);
      expect(lines[i]).toMatch(new RegExp(`This model, for that run: [\\d,.]+ \\(${p.error! >= 0 ? '\\+' : '−'}${err}%\\)\\.$`));
    });
    const cerebras = measuredPoints(cat, 'llama-3.1-70b', 'cerebras-wse-3', 4, 1);
    expect(cerebras.some((p) => p.fitted)).toBe(true);
    expect(measuredField('Cerebras', cerebras)!.value).toMatch(/fitted to it/);
    expect(measuredField('x', [])).toBeNull();
    // a run that drafted with speculative decoding of unpublished acceptance is not passed off as the baseline's miss
    const groq = measuredPoints(cat, 'llama-3.1-70b', 'groq-lpu-v1', 576, 1, 10).filter((p) => p.id === 'val-groq-70b-specdec-aa');
    expect(groq).toHaveLength(1);
    expect(groq[0].baselineOnly).toBe(true);
    expect(measuredField('Groq', groq)!.value).toMatch(/acceptance is unpublished, and this figure is without it/);
  });

  it('/estimate shows it on every platform and in --json; a pair never measured shows none', async () => {
    const text = (await runCli(['estimate', 'deepseek-r1', 'b200', '--chips', '8', '--weights', 'fp4', '--batch', '4096'])).stdout;
    expect(text).toMatch(/Published for this model on NVIDIA B200[\s\S]*57,117 tok\/s aggregate[^\n]*submitted by Google[^\n]*This model, for that run: [\d,]+ \(−\d+%\)/);
    const json = JSON.parse((await runCli(['estimate', 'deepseek-r1', 'b200', '--chips', '8', '--json'])).stdout);
    expect(json.measured.map((p: { id: string }) => p.id)).toEqual(measuredPoints(cat, 'deepseek-r1', 'b200', 8, json.batch).map((p) => p.id));

    const m = cat.modelById.get('deepseek-r1')!, c = cat.chipById.get('b200')!;
    const f = defaultFormats(c, 'fp4');
    const e = estimate({ model: m, chip: c, family: cat.family(c), weights: f.weights, kv: f.kv, inputTokens: 1024, outputTokens: 1024, batch: 4096, chips: 8, reserveFraction: cat.efficiency.runtimeReserve.fraction });
    const reply = estimateReply(e, [], c, m, cat);
    expect(JSON.stringify(toDiscord(reply))).toMatch(/"name":"Published for this model on NVIDIA B200 \(HGX\)","value":"\[57,117 tok\/s aggregate\]\(https:\/\/github\.com\/mlcommons\/inference_results_v6\.0/);
    expect(JSON.stringify(toSlack(reply))).toMatch(/<https:\/\/github\.com\/mlcommons\/inference_results_v6\.0\/tree\/main\/closed\/Google\/[^|>]+\|57,117 tok\/s aggregate>/);

    const never = cat.models.find((x) => !cat.measurements.some((r) => r.model === x.id && r.chip === 'tpu-v5e'))!;
    expect(measuredPoints(cat, never.id, 'tpu-v5e', 1, 1)).toEqual([]);
    expect((await runCli(['estimate', never.id, 'tpu-v5e'])).stdout).not.toMatch(/Published for this model/);
  });
});
