// A newer GPU of the same vendor, with more bandwidth and compute, never loses to an older one at batch 1 because two
// families' constants were fitted to rows from different software (Ampere's to gpt-fast, Hopper's to serving engines).
import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { estimate } from '../src/core/estimate.ts';
import { defaultFormats } from '../src/core/formats.ts';

const cat = catalog();

function perUser(chipId: string, modelId: string, chips: number): number {
  const c = cat.chipById.get(chipId)!, m = cat.modelById.get(modelId)!;
  const f = defaultFormats(c, 'fp8', m);
  const e = estimate({ model: m, chip: c, family: cat.family(c), weights: f.weights, kv: f.kv, inputTokens: 1000, outputTokens: 1000, batch: 1, chips, reserveFraction: 0.1 });
  return e.decode!.tokensPerSecondPerUser.expected;
}

describe('GPU generations at batch 1', () => {
  it('H100 is faster per user than A100 on the same number of GPUs, dense and mixture-of-experts', () => {
    for (const [model, chips] of [['llama-3.1-70b', 8], ['llama-3.1-8b', 1], ['deepseek-r1', 16], ['mixtral-8x7b', 2]] as const) {
      expect(perUser('h100-sxm', model, chips), `${model} on ${chips}`).toBeGreaterThan(perUser('a100-80gb', model, chips));
    }
  });

  it('Ampere takes the serving engines\' per-layer time, and says why', () => {
    const floor = cat.efficiency.families['nvidia-ampere'].layerFloorUs;
    expect(floor.borrowedFrom).toBe('nvidia-hopper');
    expect(floor.expected).toBe(cat.efficiency.families['nvidia-hopper'].layerFloorUs.expected);
    expect(floor.note).toMatch(/gpt-fast/);
  });
});
