import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/platforms/local/cli.ts';

const run = promisify(execFile);

describe('memwall CLI', () => {
  it('the installed bin answers `fit llama-70b cerebras` with 4 wafers and its reasoning (real process)', async () => {
    const { stdout } = await run(process.execPath, ['bin/memwall.js', 'fit', 'llama-70b', 'cerebras'], { cwd: process.cwd() });
    expect(stdout).toMatch(/Fits on 4 wafers at BF16/);
    expect(stdout).toMatch(/Why that many: .* usable per wafer = 3\.\d+ → 4 wafers/);
    expect(stdout).toMatch(/"cerebras" taken as Cerebras WSE-3/);
  }, 30_000);

  it('bad input exits 2 with a clear message on stderr (real process)', async () => {
    const err = await run(process.execPath, ['bin/memwall.js', 'fit', 'llama-70b', 'h1000'], { cwd: process.cwd() }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stdout).toBe('');
    expect(err.stderr).toMatch(/I don't know a chip called "h1000"\. Did you mean h100-sxm/);
  }, 30_000);

  it('gpt-oss on an H100 is answered in its released MXFP4, on one GPU, with the maths widened to 16 bits said', async () => {
    const f = await runCli(['fit', 'gpt-oss-120b', 'h100']);
    expect(f.code).toBe(0);
    expect(f.stdout).toMatch(/Fits on 1 GPU at FP4/);
    expect(f.stdout).toMatch(/expert params × 0\.531 B \(MXFP4: 4-bit values, one 8-bit scale per 32\) \+ [\d.]+B others × 2 B \(BF16, as released\)/);
    expect(f.stdout).toMatch(/gpt-oss-120b was released only in that format, narrower than NVIDIA H100 SXM's usual FP8/);
    const e = await runCli(['estimate', 'gpt-oss-120b', 'h100', '--chips', '1']);
    expect(e.stdout).toMatch(/widened to 16 bits for the math/);
    // asked for FP8, the answer is FP8 and says nothing of a released format
    const asked = await runCli(['fit', 'gpt-oss-120b', 'h100', '--weights', 'fp8']);
    expect(asked.stdout).toMatch(/Fits on 2 GPUs at FP8/);
    expect(asked.stdout).not.toMatch(/released only/);
  });

  it('fit --json has the documented shape', async () => {
    const r = await runCli(['fit', 'llama-3.1-70b', 'h100', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.model).toEqual({ id: 'llama-3.1-70b', name: 'Llama 3.1 70B' });
    expect(j.chip.id).toBe('h100-sxm');
    expect(j.weights).toBe('fp8');
    expect(j.fits).toBe(true);
    expect(j.chipsNeeded).toBe(1);
    expect(j.kvBytesPerToken).toBe(160 * 1024);
    expect(typeof j.weightsBytes).toBe('number');
    expect(typeof j.maxBatchAtContext).toBe('number');
  });

  it('estimate --json has the documented shape and ordered ranges', async () => {
    // no latency bound (60 s per token): batch max is what memory holds
    const r = await runCli(['estimate', '--model', 'llama-3.1-70b', '--chip', 'h100', '--chips', '8', '--weights', 'bf16', '--batch', 'max', '--input', '2048', '--output', '256', '--tpot-ms', '60000', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.serving.limitedBy).toBe('memory');
    for (const k of ['model', 'chip', 'chips', 'weights', 'kv', 'batch', 'fit', 'prefill', 'decode', 'energy', 'cost']) expect(j).toHaveProperty(k);
    expect(j.chips).toBe(8);
    expect(j.weights).toBe('bf16');
    expect(j.batch).toBe(j.fit.maxBatchAtContext * j.layout.replicas);
    expect(j.layout.tensorParallel * j.layout.pipelineStages * j.layout.replicas).toBe(8);
    for (const r2 of [j.prefill.ttftMs, j.decode.tokensPerSecondPerUser, j.decode.tokensPerSecond, j.decode.msPerToken, j.energy.joulesPerToken, j.cost.usdPerMillionTokens]) {
      expect(r2.low).toBeLessThanOrEqual(r2.expected);
      expect(r2.expected).toBeLessThanOrEqual(r2.high);
    }
    // the bottleneck named is the largest of the step's terms
    const t = j.decode.termsMs;
    const largest = Object.entries({ 'memory bandwidth': t.memory, compute: t.compute, interconnect: t.interconnect, 'latency floor': t.latencyFloor })
      .sort((a, b) => (b[1] as number) - (a[1] as number))[0][0];
    expect(j.decode.bottleneck).toBe(largest);
    // the step's terms add up to the decode step, which other users' prefills stretch into the time per token
    expect(t.memory + t.compute + t.interconnect + t.latencyFloor).toBeLessThan(j.decode.msPerToken.expected);
  });

  it('chips named after the model go to the chip options, never to a number option before them (plan)', async () => {
    const r = await runCli(['plan', 'llama-3.1-70b', 'h200', 'b200', '--ttft-ms', '500', '--tok-s-user', '50', '--users', '1000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/of 2 chips meet it/);
  });

  it('a "does not fit" is an answer (exit 0) with the reason', async () => {
    const r = await runCli(['estimate', '--model', 'llama-3.1-405b', '--chip', 'h100', '--chips', '2', '--weights', 'bf16', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.fit.fits).toBe(false);
    expect(j.fit.reason).toMatch(/needs \d+ GPUs/);
    expect(j.decode).toBeNull();
    const refused = await runCli(['fit', 'llama-70b', 'taalas']);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/No — Taalas HC1 runs only llama-3.1-8b/);
  });

  it('compare prints both chips, the bottlenecks and why the winner wins', async () => {
    const r = await runCli(['compare', 'groq', 'etched', 'decode']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Groq LPU v1 .* is [\d.]+× faster per user at decode/);
    expect(r.stdout).toMatch(/latency floor/);
    expect(r.stdout).toMatch(/Etched Sohu is held by (memory bandwidth|its per-layer fixed time|interconnect|compute) \([\d.]+ ms of its [\d.]+ ms step\)/);
    expect(r.stdout).toMatch(/its weights sit in on-chip memory spread over \d+ chips/);
    // GPUs whose step is mostly fixed time hold their weights in HBM: the explanation says what decides, not "on-chip"
    const gpus = await runCli(['compare', 'h100', 'mi300x', 'decode']);
    expect(gpus.stdout).not.toMatch(/on-chip memory/);
    expect(gpus.stdout).toMatch(/both spend most of a step on per-layer fixed time .*, [\d.]+ ms here against [\d.]+ ms, and the rest of a step takes/);
    const bad = await runCli(['compare', 'groq', 'etched', 'sideways']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/phase is prefill, decode or both/i);
  });

  it('spec-decode changes the decode speed; a malformed one is refused', async () => {
    const base = JSON.parse((await runCli(['estimate', '--model', 'llama-3.1-70b', '--chip', 'h200', '--json'])).stdout);
    const spec = JSON.parse((await runCli(['estimate', '--model', 'llama-3.1-70b', '--chip', 'h200', '--spec-decode', 'draft:llama-3.2-1b:4:0.8', '--json'])).stdout);
    expect(spec.decode.tokensPerSecondPerUser.expected).toBeGreaterThan(base.decode.tokensPerSecondPerUser.expected);
    const bad = await runCli(['estimate', '--model', 'llama-3.1-70b', '--chip', 'h200', '--spec-decode', 'fast']);
    expect(bad.code).toBe(2);
  });

  it('bad options exit 2: unknown format, unknown flag, negative batch, unknown command', async () => {
    for (const args of [
      ['fit', 'llama-70b', 'h100', '--weights', 'fp5'], ['fit', 'llama-70b', 'h100', '--colour', 'red'],
      ['estimate', '--model', 'llama-70b', '--chip', 'h100', '--batch', '-3'], ['frobnicate'], ['fit', 'llama-70b'],
      ['fit', 'gpt-oss-120b', 'h100', '--context', '1000000'], ['estimate', '--model', 'llama-2-7b', '--chip', 'h100', '--input', '4000', '--output', '200'],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(10);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    }
  });

  it('lists and cards: chips, models, chip, model', async () => {
    expect((await runCli(['chips'])).stdout).toMatch(/cerebras-wse-3/);
    expect((await runCli(['models'])).stdout).toMatch(/deepseek-v3/);
    const card = await runCli(['chip', 'wse-3']);
    expect(card.stdout).toMatch(/vendor claim/);
    const m = await runCli(['model', 'gpt-oss-120b', '--json']);
    expect(JSON.parse(m.stdout).id).toBe('gpt-oss-120b');
  });

  it('validate prints every measurement, the fitted rows marked, and both summaries', async () => {
    const r = await runCli(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Calibration rows \(fitted\): median error \d+%/);
    expect(r.stdout).toMatch(/Validation rows \(never fitted\): median error \d+%/);
    expect(r.stdout).toMatch(/cal-cerebras-8b .* fitted/);
    expect(r.stdout).toMatch(/val-groq-70b-aa .* check/);
  });
});
