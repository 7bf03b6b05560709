// /frontier, /plan and /disagg with goodput as commands and on the CLI: answers, bad targets, the link, the JSON.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execute } from '../commands/command.ts';
import { disaggCommand } from '../commands/disagg.ts';
import { frontierCommand } from '../commands/frontier.ts';
import { planCommand } from '../commands/plan.ts';
import { catalog, DATA_DIR, loadCatalog } from '../src/catalog/load.ts';
import { refusal } from '../src/core/fit.ts';
import { kvHandoverBytes, kvTransferSeconds } from '../src/core/serving.ts';
import { runCli } from '../src/platforms/local/cli.ts';
import { renderText } from '../src/reply/text.ts';

const ctx = { catalog: catalog() };
const FIX = join(import.meta.dirname, 'fixtures');

/** The repository's data plus the fixture price and interconnect files. */
function withFixtures() {
  const dir = mkdtempSync(join(tmpdir(), 'memwall-data-'));
  cpSync(DATA_DIR, dir, { recursive: true });
  writeFileSync(join(dir, 'prices.json'), readFileSync(join(FIX, 'prices', 'prices.json')));
  writeFileSync(join(dir, 'interconnects.json'), readFileSync(join(FIX, 'interconnects', 'interconnects.json')));
  return { catalog: loadCatalog(dir) };
}

/** The repository's data without data/interconnects.json and data/prices.json. */
function withoutLinksOrPrices() {
  const dir = mkdtempSync(join(tmpdir(), 'memwall-data-'));
  cpSync(DATA_DIR, dir, { recursive: true });
  rmSync(join(dir, 'interconnects.json'), { force: true });
  rmSync(join(dir, 'prices.json'), { force: true });
  return { catalog: loadCatalog(dir) };
}

describe('/plan', () => {
  it('answers for every chip that can run the model, with winners', async () => {
    const r = await execute(planCommand, { model: 'llama-3.1-70b', 'ttft-ms': '500', 'tok-s-user': '50', users: '1000' }, ctx);
    expect(r.kind).toBe('answer');
    const data = r.data as any;
    const runnable = ctx.catalog.chips.filter((c) => !refusal(ctx.catalog.modelById.get('llama-3.1-70b')!, c)).map((c) => c.id);
    expect(data.chips.map((c: any) => c.chip).sort()).toEqual(runnable.sort());
    expect(r.table!.rows).toHaveLength(runnable.length);
    expect(data.winners.headroom).not.toBeNull();
    expect(r.notes.join(' ')).toMatch(/Not considered \(cannot run Llama 3\.1 70B\): Taalas/);
    for (const c of data.chips.filter((x: any) => x.meets)) {
      expect(c.deployment.ttftMs.expected).toBeLessThanOrEqual(500);
      expect(c.deployment.perUser.expected).toBeGreaterThanOrEqual(50);
    }
  });
  it('prices come from the one-basis price file only: known where it has them, unknown elsewhere', async () => {
    const fx = withFixtures();
    const r = await execute(planCommand, { model: 'llama-3.1-70b', 'ttft-ms': '500', 'tok-s-user': '50', users: '1000', chip: 'h100', chip2: 'mi300x', chip3: 'h200' }, fx);
    const data = r.data as any;
    expect(data.priceBasis).toMatch(/^rental, on-demand/);
    const h200 = data.chips.find((c: any) => c.chip === 'h200').deployment;
    expect(h200.usdPerHour).toBeNull(); // the chip file has an hourly price, but not on the price file's basis
    expect(['h100-sxm', 'mi300x']).toContain(data.winners.cost.chip);
    expect(r.notes.join(' ')).toMatch(/Unknown for NVIDIA H200/);
  });
  it('an impossible target answers "no deployment meets this" with the closest each chip gets', async () => {
    const r = await execute(planCommand, { model: 'llama-3.1-70b', 'ttft-ms': '500', 'tok-s-user': '10000', users: '1000', chip: 'h100', chip2: 'mi300x', chip3: 'cerebras', chip4: 'groq' }, ctx);
    expect(r.kind).toBe('answer');
    expect(r.summary).toMatch(/No deployment meets this/);
    const data = r.data as any;
    expect(data.chips).toHaveLength(4);
    for (const c of data.chips) {
      expect(c.meets).toBe(false);
      expect(c.closest.perUser.expected).toBeGreaterThan(0);
    }
    expect(r.table!.rows.every((row) => row[1] === 'none meets this' && /^best /.test(row[2]))).toBe(true);
  });
  it.each([
    [{ 'ttft-ms': '-5' }, /ttft-ms.*must be more than 0/],
    [{ 'ttft-ms': '0' }, /ttft-ms.*must be more than 0/],
    [{ 'tok-s-user': '0' }, /tok-s-user.*must be more than 0/],
    [{ 'tok-s-user': '1e12' }, /tok-s-user.*not a target I can plan for/],
    [{ users: '2.5' }, /users.*whole number/],
    [{ users: 'lots' }, /users.*must be a number/],
    [{ budget: '-1' }, /budget.*more than 0/],
  ])('a bad target %o is a clear private error', async (bad, message) => {
    const r = await execute(planCommand, { model: 'llama-3.1-70b', ...bad }, ctx);
    expect(r.kind).toBe('error');
    expect(r.private).toBe(true);
    expect(r.summary).toMatch(message);
  });
  it('tpot-ms is the same target as its tokens/s; both at once is refused', async () => {
    const a = (await execute(planCommand, { model: 'llama-3.1-70b', 'tpot-ms': '20', users: '100', chip: 'h100' }, ctx)).data as any;
    const b = (await execute(planCommand, { model: 'llama-3.1-70b', 'tok-s-user': '50', users: '100', chip: 'h100' }, ctx)).data as any;
    expect(a.targets.perUser).toBe(50);
    expect(a.chips).toEqual(b.chips);
    const both = await execute(planCommand, { model: 'llama-3.1-70b', 'tpot-ms': '20', 'tok-s-user': '50' }, ctx);
    expect(both.kind).toBe('error');
    expect(both.summary).toMatch(/not both/);
  });
  it('users and rps together is refused; a typo in a chip is a did-you-mean', async () => {
    expect((await execute(planCommand, { model: 'llama-3.1-70b', users: '10', rps: '5' }, ctx)).summary).toMatch(/not both/);
    const typo = await execute(planCommand, { model: 'llama-3.1-70b', chip: 'h1000' }, ctx);
    expect(typo.kind).toBe('error');
    expect(typo.summary).toMatch(/Did you mean/);
  });
});

describe('/frontier', () => {
  it('a table at standard interactivities and a chart; chips that cannot get there say so', async () => {
    const r = await execute(frontierCommand, { model: 'llama-3.3-70b', chip: 'b200', chip2: 'h100', chip3: 'groq' }, ctx);
    expect(r.kind).toBe('answer');
    expect(r.table!.columns).toEqual(['tok/s per user ≥', '20', '50', '100', '200', '500', '1000']);
    expect(r.table!.rows.map((row) => row[0])).toEqual(['NVIDIA B200 (HGX)', 'NVIDIA H100 SXM', 'Groq LPU v1 (GroqChip)']);
    expect(r.table!.rows.some((row) => row.includes('cannot'))).toBe(true);
    expect(r.chart?.spec).toBeTruthy();
    const data = r.data as any;
    for (const c of data.chips) for (const p of c.frontier) expect(p.layout).toMatchObject({ tensorParallel: expect.any(Number), pipelineStages: expect.any(Number), replicas: 1, expertParallel: expect.any(Number) });
  });
  it('per kW and per $/hour where known, unknown otherwise', async () => {
    const r = await execute(frontierCommand, { model: 'llama-3.3-70b', chip: 'h100', chip2: 'groq-3', per: 'kw' }, ctx);
    expect(r.table!.rows[1].slice(1).every((c) => c === 'unknown' || c === 'cannot')).toBe(true); // Groq 3 power unpublished
    expect(r.notes.join(' ')).toMatch(/Power unknown for NVIDIA Groq 3/);
    const usd = await execute(frontierCommand, { model: 'llama-3.3-70b', chip: 'h100', chip2: 'b200', per: 'usd' }, withFixtures());
    const p = (usd.data as any).chips[0].frontier[0];
    expect(p.perUsdHour.expected).toBeCloseTo(p.perChip.expected / 3.99, 6);
  });
  it('a model too large for a chip is listed with its reason; a context beyond the model is refused', async () => {
    const r = await execute(frontierCommand, { model: 'llama-3.1-70b', chip: 'taalas' }, ctx);
    expect((r.data as any).chips[0].reason).toMatch(/runs only/);
    const long = await execute(frontierCommand, { model: 'llama-3.1-70b', chip: 'h100', input: '200000' }, ctx);
    expect(long.kind).toBe('error');
  });
});

describe('/disagg', () => {
  it('the old form still answers at batch 1, as before', async () => {
    const r = await execute(disaggCommand, { model: 'llama-70b', 'prefill-chip': 'b200', 'decode-chip': 'groq' }, ctx);
    expect(r.kind).toBe('answer');
    expect(r.title).toMatch(/prefill on NVIDIA B200.*decode on Groq/);
  });
  it('with targets and no interconnect data: three deployments, and the link speed is said to be unknown', async () => {
    const r = await execute(disaggCommand, { model: 'kimi-k2', 'prefill-chip': 'rubin', 'decode-chip': 'groq-3', users: '1000', 'ttft-ms': '1000', 'tok-s-user': '100' }, withoutLinksOrPrices());
    expect(r.kind).toBe('answer');
    expect(r.table!.rows.map((x) => x[0])).toEqual(['colocated on rubin', 'colocated on groq-3-lpu', 'split: rubin → groq-3-lpu']);
    const text = renderText(r);
    expect(text).toMatch(/link speed is unknown/);
    expect(text).toMatch(/NVIDIA claim \(vendor claim, not measured\): up to 35×/);
    expect(r.sources[0].url).toMatch(/^https:\/\/developer\.nvidia\.com\/blog\/inside-nvidia-groq-3-lpx/);
    const data = r.data as any;
    expect(data.disagg.kvTransferMs).toBeNull();
    expect(data.claim).toMatchObject({ factor: 35, kind: 'vendor' });
  });
  it('over a stated link: the hand-over time is bytes over the ports in parallel plus the latency (hand-worked)', async () => {
    const fx = withFixtures();
    const r = await execute(disaggCommand, { model: 'llama-3.1-70b', 'prefill-chip': 'h100', 'decode-chip': 'groq', users: '100', 'tok-s-user': '100', link: 'ib', input: '8192' }, fx);
    const d = (r.data as any).disagg;
    expect((r.data as any).link).toMatchObject({ id: 'test-ib-ndr', bandwidthGBs: 50 });
    // Groq decodes with an FP8 KV cache... whatever its format, the bytes follow from the model and the prompt
    const bytes = kvHandoverBytes(fx.catalog.modelById.get('llama-3.1-70b')!, d.decode.kv, 8192);
    expect(d.kvBytes).toBe(bytes);
    expect(d.lanes).toBe(Math.min(d.prefill.chipsPerInstance, d.decode.chipsPerReplica));
    expect(d.kvTransferMs.expected).toBeCloseTo((5e-6 + bytes / (50e9 * d.lanes)) * 1e3, 9);
    expect(d.kvTransferMs.expected).toBeCloseTo(kvTransferSeconds(bytes, { bandwidthGBs: 50, latencyUs: 5 }, d.lanes) * 1e3, 12);
    expect(renderText(r)).toMatch(/over InfiniBand NDR 400G \(test fixture\)/);
    // unstated: a scale-out network is assumed and said so
    const assumed = await execute(disaggCommand, { model: 'llama-3.1-70b', 'prefill-chip': 'h100', 'decode-chip': 'groq', users: '100' }, fx);
    expect(renderText(assumed)).toMatch(/assumed: a scale-out InfiniBand network/);
    const unknown = await execute(disaggCommand, { model: 'llama-3.1-70b', 'prefill-chip': 'h100', 'decode-chip': 'groq', link: 'warp' }, fx);
    expect(unknown.kind).toBe('error');
    expect(unknown.summary).toMatch(/don't know a link called "warp"/);
    // a link whose bandwidth is unpublished: the hand-over time is unknown, and said so
    const unpublished = await execute(disaggCommand, { model: 'llama-3.1-70b', 'prefill-chip': 'h100', 'decode-chip': 'groq', users: '100', link: 'test-fabric-unpublished' }, fx);
    expect(renderText(unpublished)).toMatch(/link speed is unknown \(A vendor fabric with no published bandwidth \(test fixture\) publishes no bandwidth\)/);
    expect((unpublished.data as any).disagg.kvTransferMs).toBeNull();
  });
  it('chunked prefill bounds how long a token waits behind a prompt on the colocated side', async () => {
    const ask = { model: 'llama-3.1-70b', 'prefill-chip': 'h100', 'decode-chip': 'groq', users: '64', 'tok-s-user': '20' };
    const whole = (await execute(disaggCommand, ask, ctx)).data as any;
    const chunked = (await execute(disaggCommand, { ...ask, chunk: '512' }, ctx)).data as any;
    const gap = (d: any) => d.colocatedA.deployment.worstGapMs.expected;
    expect(gap(chunked)).toBeLessThan(gap(whole));
  });
  it('the preset is the article’s pairing; a bad target is a private error', async () => {
    const r = await execute(disaggCommand, { preset: 'rubin-lpx' }, ctx);
    expect(r.title).toMatch(/Kimi K2.*Rubin.*Groq 3/);
    const bad = await execute(disaggCommand, { model: 'kimi-k2', 'prefill-chip': 'rubin', 'decode-chip': 'groq-3', 'ttft-ms': '-1' }, ctx);
    expect(bad.kind).toBe('error');
    expect(bad.private).toBe(true);
    expect((await execute(disaggCommand, {}, ctx)).title).toBe(r.title); // nothing named: the article's pairing
    expect((await execute(disaggCommand, { 'prefill-chip': 'b200' }, ctx)).summary).toMatch(/Which model/);
  });
});

describe('CLI', () => {
  it('memwall frontier … prints the table and writes the chart PNG; --json has every point with its layout', async () => {
    const png = join(mkdtempSync(join(tmpdir(), 'memwall-png-')), 'f.png');
    const r = await runCli(['frontier', 'llama-3.3-70b', 'b200', 'h100', 'mi355x', 'cerebras', 'groq', '--png', png]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tok\/s per user ≥\s+20\s+50\s+100\s+200\s+500\s+1000/);
    expect(r.stdout).toContain(`Chart written to ${png}`);
    expect(existsSync(png)).toBe(true);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    const j = await runCli(['frontier', 'llama-3.3-70b', 'b200', 'groq', '--json']);
    const data = JSON.parse(j.stdout);
    expect(data.chips).toHaveLength(2);
    expect(data.chips[0].frontier.length).toBeGreaterThan(3);
    expect(data.chips[0].frontier[0]).toHaveProperty('layout.tensorParallel');
  });
  it('memwall plan and memwall disagg take their targets as flags; a bad one exits 2', async () => {
    const r = await runCli(['plan', 'llama-3.1-70b', '--ttft-ms', '500', '--tok-s-user', '50', '--users', '1000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/chips meet it/);
    const d = await runCli(['disagg', 'kimi-k2', 'rubin', 'groq-3', '--users', '1000', '--ttft-ms', '1000', '--tok-s-user', '100']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/split: rubin → groq-3-lpu/);
    const bad = await runCli(['plan', 'llama-3.1-70b', '--ttft-ms', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ttft-ms must be more than 0/);
  });
});
