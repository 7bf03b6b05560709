// The sweeps behind /frontier, /plan and /disagg, against hand-worked cases.
import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { atInteractivity, chipFrontier, paretoFront, toRange } from '../src/core/frontier.ts';
import { meets, plan, planChip, type PlanQuestion } from '../src/core/plan.ts';
import { colocatedServing, kvHandoverBytes, kvTransferSeconds, maxUtilisation, md1Wait } from '../src/core/serving.ts';
import type { Evaluation } from '../src/core/sweep.ts';
import type { Range } from '../src/core/types.ts';

const cat = catalog();
const reserve = cat.efficiency.runtimeReserve.fraction;
const chip = (id: string) => { const c = cat.chipById.get(id)!; return { chip: c, family: cat.family(c), usdPerChipHour: null as number | null, engineMaxBatch: cat.serving.engineMaxBatch(c) }; };
const r = (x: number): Range => ({ low: x, expected: x, high: x });
const pt = (u: number, c: number) => ({ perUser: r(u), perChip: r(c) });

describe('Pareto frontier', () => {
  it('keeps exactly the points no other beats on both axes (hand-worked)', () => {
    const A = pt(10, 100), B = pt(20, 50), C = pt(15, 40), D = pt(5, 90), E = pt(40, 10);
    // C is beaten by B (faster and more per chip); D by A; the rest trade one axis for the other
    expect(paretoFront([C, E, A, D, B])).toEqual([A, B, E]);
  });
  it('drops a point within 1% per user of a kept slower one that delivers more per chip, without a cascade', () => {
    const slow = pt(300, 50), hair = pt(302, 5), fast = pt(310, 4);
    expect(paretoFront([slow, hair, fast])).toEqual([slow, fast]);
    // 0.6% steps: each is within 1% of its neighbour, but the fastest kept stays within 1% of the fastest there is
    const chain = [pt(290, 60), pt(291.7, 50), pt(293.5, 40), pt(295.2, 30), pt(297, 20), pt(298.8, 10)];
    const front = paretoFront(chain);
    expect(front.map((p) => p.perUser.expected)).toEqual([290, 293.5, 297]);
    expect(front[front.length - 1].perUser.expected).toBeGreaterThanOrEqual(298.8 * 0.99);
  });
  it('no frontier point is dominated by any evaluated point (B200 and Groq on Llama 3.3 70B)', () => {
    for (const id of ['b200', 'groq-lpu-v1', 'cerebras-wse-3']) {
      const f = chipFrontier({ model: cat.modelById.get('llama-3.3-70b')!, chips: [], inputTokens: 1024, outputTokens: 1024, reserveFraction: reserve, serving: { chunkTokens: null } }, chip(id), true);
      expect(f.points.length).toBeGreaterThan(2);
      for (const p of f.points) {
        const beaten = f.all!.filter((q) => q.perUser.expected >= p.perUser.expected && q.perChip.expected >= p.perChip.expected
          && (q.perUser.expected > p.perUser.expected || q.perChip.expected > p.perChip.expected));
        expect(beaten, `${id}: ${JSON.stringify(p.layout)} b${p.batch}`).toEqual([]);
      }
      // along the frontier per-user speed rises and per-chip throughput falls
      for (let i = 1; i < f.points.length; i++) {
        expect(f.points[i].perUser.expected).toBeGreaterThan(f.points[i - 1].perUser.expected);
        expect(f.points[i].perChip.expected).toBeLessThan(f.points[i - 1].perChip.expected);
      }
      // every point states its layout, and its chips add up
      for (const p of f.points) expect(p.layout.tensorParallel * p.layout.pipelineStages * p.layout.replicas).toBe(p.chips);
    }
  });
  it('reads the most per-chip throughput at or above an interactivity, or none', () => {
    const front = [pt(10, 100), pt(20, 50), pt(40, 10)] as any[];
    expect(atInteractivity(front, 15)).toBe(front[1]);
    expect(atInteractivity(front, 20)).toBe(front[1]);
    expect(atInteractivity(front, 41)).toBeNull();
  });
});

describe('colocated serving with prefill interference (hand-worked)', () => {
  // a 10 ms decode step at batch 8, 100 ms to prefill one 1,024-token prompt, 5 ms batch-1 step, 100 output tokens
  const ev = { config: { weights: 'fp8', kv: 'fp8', chips: 8, batch: 8 }, layout: { tensorParallel: 8, pipelineStages: 1, replicas: 1, expertParallel: 1 },
    stepSeconds: [0.01, 0.01, 0.01], prefillSeconds: [0.1, 0.1, 0.1], step1Seconds: [0.005, 0.005, 0.005], bottleneck: 'memory bandwidth', powerW: 700, maxBatch: 100 } as Evaluation;
  it('whole-prompt prefill: λ = B/(B·P + out·s), TPOT = s + B·P/out, TTFT = P + s + M/D/1 wait', () => {
    const s = colocatedServing(ev, 1024, 100, { chunkTokens: null });
    expect(s.requestsPerSecond[1]).toBeCloseTo(8 / 1.8, 9);          // 4.444 requests/s
    expect(s.tpotSeconds[1]).toBeCloseTo(0.018, 12);                 // 10 ms stretched by 8 ms of prefill per step
    expect(s.perUser[1]).toBeCloseTo(1 / 0.018, 6);                  // 55.6 tok/s, not the 100 a bare step suggests
    expect(s.prefillShare[1]).toBeCloseTo(0.4444444, 6);
    // 100 ms prefill + 10 ms step + ρP/(2(1−ρ)) = 0.4444 × 0.1 / 1.1111 = 40 ms wait
    expect(s.ttftSeconds![1]).toBeCloseTo(0.15, 6);
    expect(s.worstGapSeconds![1]).toBeCloseTo(0.11, 12);
  });
  it('chunked prefill (256-token chunks) shares the weight read and bounds the stall', () => {
    const s = colocatedServing(ev, 1024, 100, { chunkTokens: 256 });
    // P' = 100 − 5 ms; 4 chunks
    expect(s.requestsPerSecond[1]).toBeCloseTo(8 / (8 * 0.095 + 1), 9);
    expect(s.tpotSeconds[1]).toBeCloseTo(0.0176, 12);
    const rho = 8 * 0.095 / 1.76;
    expect(s.ttftSeconds![1]).toBeCloseTo(4 * 0.01 + 0.095 + rho * 0.095 / (2 * (1 - rho)), 9);
    expect(s.worstGapSeconds![1]).toBeCloseTo(0.01 + 0.095 / 4, 12);
  });
  it('M/D/1 wait and its inverse agree', () => {
    const u = maxUtilisation(0.05, 0.1);
    expect(md1Wait(u, 0.1)).toBeCloseTo(0.05, 12);
    expect(maxUtilisation(0, 0.1)).toBe(0);
    expect(md1Wait(1, 0.1)).toBe(Infinity);
  });
});

describe('KV hand-over (hand-worked)', () => {
  it('Llama 3.1 70B, 8,192-token prompt, FP8 KV: 80 layers × 8 KV heads × 128 × 2 (K, V) × 1 byte per token', () => {
    const bytes = kvHandoverBytes(cat.modelById.get('llama-3.1-70b')!, 'fp8', 8192);
    expect(bytes).toBe(80 * 8 * 128 * 2 * 8192); // 1,342,177,280 bytes
    // over eight 50 GB/s ports with 5 µs latency: 1.342 GB / 400 GB/s + 5 µs = 3.3604 ms
    expect(kvTransferSeconds(bytes, { bandwidthGBs: 50, latencyUs: 5 }, 8) * 1e3).toBeCloseTo(3.360443, 5);
    // over one 12.5 GB/s Ethernet port: 107.4 ms
    expect(kvTransferSeconds(bytes, { bandwidthGBs: 12.5, latencyUs: 0 }, 1) * 1e3).toBeCloseTo(107.374, 2);
  });
});

describe('plan', () => {
  const base = (over: Partial<PlanQuestion> = {}): PlanQuestion => ({
    model: cat.modelById.get('llama-3.1-70b')!, chips: ['h100-sxm', 'b200', 'cerebras-wse-3', 'groq-lpu-v1'].map(chip),
    inputTokens: 1024, outputTokens: 1024, reserveFraction: reserve, targets: { ttftMs: 500, perUser: 50 }, load: { users: 1000 }, limits: {},
    serving: { chunkTokens: null }, ...over,
  });
  it('each deployment found meets its targets and carries the load', () => {
    const p = plan(base());
    for (const c of p.chips) {
      const d = c.best!;
      expect(d, c.chip.id).not.toBeNull();
      expect(d.ttftMs!.expected).toBeLessThanOrEqual(500);
      expect(d.perUser.expected).toBeGreaterThanOrEqual(50);
      expect(d.layout.replicas * d.batch).toBeGreaterThanOrEqual(1000);
      expect(d.chips).toBe(d.layout.replicas * d.chipsPerReplica);
    }
  });
  it('is the cheapest among every evaluated layout, and bisection finds what the exhaustive sweep finds', () => {
    for (const id of ['h100-sxm', 'b200', 'groq-lpu-v1']) {
      const q = base({ chips: [chip(id)] });
      const all = planChip(q, q.chips[0], { exhaustive: true, keepAll: true });
      const fast = planChip(q, q.chips[0]);
      const feasible = all.all!.filter((d) => meets(d, q.targets, q.limits));
      expect(feasible.length).toBeGreaterThan(0);
      const fewest = Math.min(...feasible.map((d) => d.chips));
      expect(all.best!.chips).toBe(fewest);
      expect(fast.best!.chips).toBe(fewest);
      expect(fast.evaluations).toBeLessThan(all.evaluations);
    }
  });
  it('with prices on one basis, the cost winner is the lowest $/hour among the chips that meet the targets', () => {
    const priced = base({ chips: [{ ...chip('h100-sxm'), usdPerChipHour: 3.99 }, { ...chip('h200'), usdPerChipHour: 4.54 }, chip('b200')] });
    const p = plan(priced);
    const known = p.chips.map((c) => c.best).filter((d) => d && d.usdPerHour !== null);
    expect(p.winners.cost!.usdPerHour).toBe(Math.min(...known.map((d) => d!.usdPerHour!)));
    expect(p.chips.find((c) => c.chip.id === 'b200')!.best!.usdPerHour).toBeNull(); // unknown stays unknown
    const d = p.winners.cost!;
    expect(d.usdPerMillionTokens!.expected).toBeCloseTo((d.usdPerHour! * 1e6) / (d.tokensPerSecond.expected * 3600), 6);
  });
  it('a load in requests per second is carried by enough replicas', () => {
    const q = base({ chips: [chip('h100-sxm')], load: { requestsPerSecond: 40 } });
    const d = plan(q).chips[0].best!;
    expect(d).not.toBeNull();
    // each replica serves at most its full-occupancy rate; together they carry the 40 requests/s asked
    const perReplica = d.requestsPerSecond.expected / d.layout.replicas;
    expect(d.requestsPerSecond.expected).toBeCloseTo(40, 6);
    expect(d.layout.replicas).toBeGreaterThanOrEqual(1);
    const fewer = planChip(q, q.chips[0], { exhaustive: true, keepAll: true }).all!.filter((x) => meets(x, q.targets, q.limits));
    expect(Math.min(...fewer.map((x) => x.chips))).toBe(d.chips);
    expect(perReplica).toBeGreaterThan(0);
  });
  it('limits exclude deployments; an impossible target gives the closest each chip gets', () => {
    const tight = plan(base({ limits: { maxChips: 7 } }));
    for (const c of tight.chips) if (c.best) expect(c.best.chips).toBeLessThanOrEqual(7);
    const none = plan(base({ targets: { ttftMs: 500, perUser: 500_000 } }));
    expect(none.chips.every((c) => c.best === null)).toBe(true);
    for (const c of none.chips) expect(c.closest!.perUser.expected).toBeLessThan(500_000);
    expect(none.winners.cost).toBeNull();
  });
});

describe('toRange', () => {
  it('orders any triple', () => {
    expect(toRange([3, 2, 1])).toEqual({ low: 1, expected: 2, high: 3 });
    expect(toRange([1, 2, 3], 10)).toEqual({ low: 10, expected: 20, high: 30 });
  });
});
