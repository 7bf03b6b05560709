// Loads data/ once, validates every file with zod, and cross-checks references between files.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Chip, Efficiency, FitPlan, Measurement, Model, Systems, type Family } from './schema.ts';
import { parsedOnce } from './cache.ts';
import { loadInterconnects, type Interconnect } from './interconnects.ts';
import { loadPrices, priceOf, type Prices } from './prices.ts';
import { matmulFacts } from './matmul.ts';

export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data');

export interface Catalog {
  chips: Chip[];
  models: Model[];
  measurements: Measurement[];
  efficiency: Efficiency;
  plan: FitPlan;
  /** data/prices.json: one cost basis for every chip; empty when the file is absent (every price unknown) */
  prices: Prices;
  /** data/interconnects.json; empty when the file is absent */
  interconnects: Interconnect[];
  chipById: Map<string, Chip>;
  modelById: Map<string, Model>;
  family(chip: Chip): Family;
  systems: Systems;
  /** serving defaults from data/serving.json: the TPOT bound `batch: max` stops at, and the engine's cap on concurrent
   *  sequences per replica for a chip (vLLM's default by GPU memory; null where the vendor's stack publishes none) */
  serving: {
    defaultTpotMs: number | null; engineMaxBatch(chip: Chip): number | null; engineNote: string;
    /** where the vendor serves this model on this chip with speculative decoding (sourced), what it measured */
    servedWithSpecDecode(chipId: string, modelId: string): { method: string; draft: string; measured: string; source: { url: string; date: string; title?: string } } | null;
    /** operations per layer by block kind, which scale each layer's fixed time (null: every layer counts as one) */
    kernelsPerLayer: KernelsPerLayer | null;
  };
}

export class CatalogError extends Error {
  constructor(message: string) { super(message); this.name = 'CatalogError'; }
}

function readJson(file: string, dataDir: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CatalogError(`data/${relative(dataDir, file)}: not valid JSON (${(e as Error).message})`);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const path = first.path.length ? first.path.join('.') : '(root)';
  throw new CatalogError(`${where}: field ${path}: ${first.message}`);
}

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
}

/** Every `sources` key a figure names must exist in the file's `sources` map. */
function checkSourceKeys(value: unknown, sources: Record<string, unknown>, where: string, path: string[] = []): void {
  if (Array.isArray(value)) { value.forEach((v, i) => checkSourceKeys(v, sources, where, [...path, String(i)])); return; }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'sources' && path.length === 0) continue;
    if (k === 'sources' && Array.isArray(v)) {
      for (const key of v) if (!(key in sources)) throw new CatalogError(`${where}: field ${[...path, k].join('.')}: source "${key}" is not in the file's sources`);
    } else checkSourceKeys(v, sources, where, [...path, k]);
  }
}

/** Loads data/; `efficiency: false` skips data/efficiency.json (used while fitting it). */
export function loadCatalog(dataDir = DATA_DIR, opts: { efficiency?: boolean } = {}): Catalog {
  const rel = (f: string) => `data/${relative(dataDir, f)}`;
  const chips = jsonFiles(join(dataDir, 'chips')).map((f) => {
    const raw = readJson(f, dataDir);
    const id = (raw as { id?: string })?.id ?? '?';
    const chip = parsedOnce(f, () => parse(Chip, raw, `${rel(f)} (chip ${id})`));
    checkSourceKeys(chip, chip.sources, `${rel(f)} (chip ${chip.id})`);
    return chip;
  });
  const models = jsonFiles(join(dataDir, 'models')).map((f) => {
    const raw = readJson(f, dataDir);
    const id = (raw as { id?: string })?.id ?? '?';
    const model = parsedOnce(f, () => parse(Model, raw, `${rel(f)} (model ${id})`));
    checkSourceKeys(model, model.sources, `${rel(f)} (model ${model.id})`);
    return model;
  });
  const measurements = jsonFiles(join(dataDir, 'measurements')).flatMap((f) => {
    const raw = readJson(f, dataDir);
    if (!Array.isArray(raw)) throw new CatalogError(`${rel(f)}: expected a JSON array of measurements`);
    return parsedOnce(f, () => raw.map((row, i) => parse(Measurement, row, `${rel(f)} (entry ${i}, ${(row as { id?: string })?.id ?? '?'})`)));
  });
  const systemsFile = join(dataDir, 'systems.json');
  const systems: Systems = existsSync(systemsFile)
    ? parse(Systems, readJson(systemsFile, dataDir), 'data/systems.json')
    : { note: '', chips: {}, sources: {} };
  for (const [id, s] of Object.entries(systems.chips)) {
    if (s.system && !systems.sources[s.system.source]) throw new CatalogError(`data/systems.json (chip ${id}): field system.source: no source "${s.system.source}"`);
  }
  for (const c of chips) {
    // a chip absent from data/systems.json keeps no deployment: the core's default (tensor parallel, no system) applies
    const d = systems.chips[c.id];
    if (d) c.deployment = { rule: d.rule, system: d.system ? { name: d.system.name, chips: d.system.chips } : null };
  }
  const asCatalogError = <T>(f: () => T): T => { try { return f(); } catch (e) { throw new CatalogError((e as Error).message); } };
  const prices = asCatalogError(() => loadPrices(join(dataDir, 'prices.json')));
  const interconnects = asCatalogError(() => loadInterconnects(join(dataDir, 'interconnects.json')));
  for (const c of chips) {
    const id = c.link.interconnect ?? null;
    const ic = id ? interconnects.find((x) => x.id === id) : undefined;
    c.linkFacts = { interconnect: id, collectiveLatencyUs: ic?.collectiveLatencyUs?.value ?? null };
    if (prices.basis !== null) c.priceFacts = { usdPerChipHour: priceOf(prices, c.id), basis: prices.basis };
  }
  const plan = parse(FitPlan, readJson(join(dataDir, 'fit-plan.json'), dataDir), 'data/fit-plan.json');
  const sustained = matmulFacts(chips, plan, measurements);
  for (const c of chips) c.matmulFacts = sustained.get(c.id);
  const efficiency: Efficiency = opts.efficiency === false
    ? { runtimeReserve: plan.runtimeReserve, families: {} }
    : parse(Efficiency, readJson(join(dataDir, 'efficiency.json'), dataDir), 'data/efficiency.json');

  const serving = readServing(join(dataDir, 'serving.json'));
  if (serving.kernelsPerLayer) for (const m of models) m.fixedTimeLayers = fixedTimeLayers(m, serving.kernelsPerLayer);
  const chipById = uniqueMap(chips, 'chip');
  const modelById = uniqueMap(models, 'model');
  uniqueMap(measurements, 'measurement');
  for (const c of chips) {
    if (!plan.families[c.family]) throw new CatalogError(`data/chips/${c.id}.json (chip ${c.id}): field family: "${c.family}" has no entry in data/fit-plan.json`);
    if (opts.efficiency !== false && !efficiency.families[c.family]) throw new CatalogError(`data/efficiency.json: no family "${c.family}" (run \`npx memwall calibrate --write\`)`);
    if (c.runs.kind === 'hardwired' && !modelById.has(c.runs.model)) throw new CatalogError(`data/chips/${c.id}.json (chip ${c.id}): field runs.model: unknown model "${c.runs.model}"`);
  }
  for (const m of measurements) {
    if (!chipById.has(m.chip)) throw new CatalogError(`data/measurements (${m.id}): field chip: unknown chip "${m.chip}"`);
    if (!modelById.has(m.model)) throw new CatalogError(`data/measurements (${m.id}): field model: unknown model "${m.model}"`);
    const sd = m.specDecodeConfig;
    if (sd && !m.specDecode) throw new CatalogError(`data/measurements (${m.id}): field specDecodeConfig: a row with a speculative-decoding configuration also says so in specDecode`);
    if (sd?.draftModel && !modelById.has(sd.draftModel)) throw new CatalogError(`data/measurements (${m.id}): field specDecodeConfig.draftModel: unknown model "${sd.draftModel}"`);
    if (sd?.acceptanceLength && sd.draftLength === null) throw new CatalogError(`data/measurements (${m.id}): field specDecodeConfig.draftLength: an acceptance length needs the draft length it was measured at`);
    if (sd?.acceptanceLength && sd.draftLength !== null && sd.acceptanceLength.value > sd.draftLength + 1) throw new CatalogError(`data/measurements (${m.id}): field specDecodeConfig.acceptanceLength: ${sd.acceptanceLength.value} tokens per step is more than ${sd.draftLength} drafted + 1`);
  }
  for (const [name, fam] of Object.entries(efficiency.families)) {
    const consts = [fam.bandwidthEfficiency, fam.computeEfficiency, fam.layerFloorUs, fam.hopLatencyUs, ...Object.values(fam.dequantBandwidthEfficiency), ...Object.values(fam.dequantComputeEfficiency),
      ...[fam.impliedTflops, fam.moeEfficiency, fam.prefillEfficiency, fam.overlap, fam.collectiveLatencyUs, fam.blockScaleEfficiency].filter((c) => c !== undefined)];
    for (const c of consts) {
      for (const row of c.fittedTo) {
        const m = measurements.find((x) => x.id === row);
        if (!m) throw new CatalogError(`data/efficiency.json (family ${name}): fitted to unknown measurement "${row}"`);
        if (m.use !== 'calibration') throw new CatalogError(`data/efficiency.json (family ${name}): "${row}" is a validation row; constants may be fitted to calibration rows only`);
      }
      if (c.borrowedFrom && !efficiency.families[c.borrowedFrom]) throw new CatalogError(`data/efficiency.json (family ${name}): borrowed from unknown family "${c.borrowedFrom}"`);
    }
  }
  for (const row of efficiency.apiOverheadMs?.fittedTo ?? []) {
    const m = measurements.find((x) => x.id === row);
    if (!m || m.use !== 'calibration' || m.measuredVia !== 'api') throw new CatalogError(`data/efficiency.json (apiOverheadMs): "${row}" is not a calibration row measured through a public API`);
  }
  for (const id of prices.byChip.keys()) if (!chipById.has(id)) throw new CatalogError(`data/prices.json: field chips.${id}: unknown chip "${id}"`);
  return {
    chips, models, measurements, efficiency, plan, prices, interconnects, chipById, modelById,
    family: (chip: Chip) => efficiency.families[chip.family],
    systems,
    serving,
  };
}

/** Operations a decode step runs per layer, by block kind (data/serving.json kernelsPerLayer). */
export interface KernelsPerLayer { denseLayer: number; mlaExtra: number; moeExtra: number; sharedExpertExtra: number }

/** The model's layers in dense-layer equivalents of fixed time: MLA attention, routed experts and shared experts run
 *  more operations per layer than a dense GQA layer, and at small batch each costs about the same fixed time. */
function fixedTimeLayers(m: Model, k: KernelsPerLayer): number {
  if (m.architecture !== 'transformer') return m.layers;
  const attention = m.attention.kind === 'mla' ? k.mlaExtra : 0;
  const moeLayers = m.moe ? m.moe.moeLayers : 0;
  const perMoe = m.moe ? k.moeExtra + (m.moe.sharedExperts > 0 ? k.sharedExpertExtra : 0) : 0;
  return (m.layers * (k.denseLayer + attention) + moeLayers * perMoe) / k.denseLayer;
}

/** The serving facts the model needs, read loosely from data/serving.json (absent: no bound, every layer counts once). */
function readServing(file: string): Catalog['serving'] {
  const none = { defaultTpotMs: null, engineMaxBatch: () => null, engineNote: '', servedWithSpecDecode: () => null, kernelsPerLayer: null };
  if (!existsSync(file)) return none;
  const raw = (readJson(file, dirname(file)) ?? {}) as {
    tpotTargets?: { defaultForBatchMax?: { value?: number } };
    engineLimits?: { vllm?: { maxNumSeqs?: { value?: number; alternatives?: { value: number; note?: string }[] } } };
    servedWithSpecDecode?: { chip: string; model: string; method: string; draft: string; measured: string; source: { url: string; date: string; title?: string } }[];
    gpuStepOverhead?: { kernelsPerLayer?: Partial<KernelsPerLayer> };
  };
  const k = raw.gpuStepOverhead?.kernelsPerLayer;
  const counts = k && [k.denseLayer, k.mlaExtra, k.moeExtra, k.sharedExpertExtra].every((x) => typeof x === 'number' && x >= 0) && (k.denseLayer as number) > 0
    ? (k as KernelsPerLayer) : null;
  const spec = Array.isArray(raw.servedWithSpecDecode) ? raw.servedWithSpecDecode : [];
  const tpot = raw.tpotTargets?.defaultForBatchMax?.value ?? null;
  const seqs = raw.engineLimits?.vllm?.maxNumSeqs;
  const small = seqs?.value ?? null;
  const large = seqs?.alternatives?.find((a) => /70 GiB/.test(a.note ?? ''))?.value ?? small;
  return {
    defaultTpotMs: typeof tpot === 'number' ? tpot : null,
    // vLLM's default max-num-seqs is 1024 on GPUs with at least 70 GiB (not A100) and 256 below; only GPU-style chips
    // that split by tensor parallelism run such an engine
    engineMaxBatch: (chip: Chip) => {
      if (small === null || chip.runs.kind === 'hardwired' || (chip.deployment && chip.deployment.rule !== 'tensor-parallel')) return null;
      const hbm = chip.memory.find((t) => t.kind === 'hbm' || t.kind === 'gddr')?.capacityGB?.value ?? 0;
      return hbm >= 70 * 1.073741824 && !/A100/.test(chip.name) ? large : small;
    },
    engineNote: 'vLLM’s default max-num-seqs (data/serving.json)',
    kernelsPerLayer: counts,
    servedWithSpecDecode: (chipId: string, modelId: string) => {
      const e = spec.find((x) => x.chip === chipId && x.model === modelId);
      return e ? { method: e.method, draft: e.draft, measured: e.measured, source: e.source } : null;
    },
  };
}

function uniqueMap<T extends { id: string }>(items: T[], what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const it of items) {
    if (map.has(it.id)) throw new CatalogError(`two ${what}s have the id "${it.id}"`);
    map.set(it.id, it);
  }
  return map;
}

let cached: Catalog | undefined;
/** The catalog in data/, loaded and validated on first use. */
export function catalog(): Catalog {
  cached ??= loadCatalog();
  return cached;
}
