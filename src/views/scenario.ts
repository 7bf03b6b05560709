// Turn typed names and options into a core Scenario, or a polite error: shared by every view that estimates.
import type { Catalog } from '../catalog/load.ts';
import { resolveChip, resolveModel } from '../catalog/resolve.ts';
import type { Chip, Model, NumberFormat } from '../catalog/schema.ts';
import { attentionKeptWide, blockScaledOutsideTensorCores, computeFormat, defaultFormats, parseFormat, weightOnly } from '../core/formats.ts';
import type { Scenario, SpecDecode } from '../core/types.ts';
import { errorReply, type Reply } from '../reply/reply.ts';

export interface Picked<T> { item: T; note?: string }

export function pickModel(cat: Catalog, text: string): Picked<Model> | Reply {
  const r = resolveModel(cat, text);
  if (!r.ok) return errorReply(r.error, 'Type `/model` with no name to see every model I know.');
  return { item: r.item, note: r.note };
}

export function pickChip(cat: Catalog, text: string): Picked<Chip> | Reply {
  const r = resolveChip(cat, text);
  if (!r.ok) return errorReply(r.error, 'Type `/chip` with no name to see every chip I know.');
  return { item: r.item, note: r.note };
}

export function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'kind' in x && 'summary' in x;
}


export interface ScenarioOptions {
  model: string;
  chip: string;
  weights?: string;
  kv?: string;
  batch?: number | 'max';
  chips?: number;
  input?: number;
  output?: number;
  specDecode?: SpecDecode;
  /** deployment mode when no chip count is given */
  deployment?: 'fastest' | 'system' | 'fewest';
  /** the per-token latency `batch: max` must keep, ms (default: data/serving.json) */
  tpotMs?: number;
}

export interface Built { scenario: Scenario; notes: string[] }

export function buildScenario(cat: Catalog, o: ScenarioOptions, defaults: { input: number; output: number }): Built | Reply {
  const m = pickModel(cat, o.model);
  if (isReply(m)) return m;
  const c = pickChip(cat, o.chip);
  if (isReply(c)) return c;
  const chip = c.item, model = m.item;
  const notes: string[] = [];
  if (c.note) notes.push(c.note);
  const askedWeights = o.weights ? (parseFormat(o.weights) as NumberFormat) : undefined;
  const f = defaultFormats(chip, askedWeights, model);
  const kv = o.kv ? (parseFormat(o.kv) as NumberFormat) : f.kv;
  const kvNote = o.kv ? '' : `; KV cache in ${kv.toUpperCase()}`;
  if (chip.runs.kind === 'hardwired') {
    if (askedWeights) notes.push(`${chip.name} weights are hard-wired (${chip.runs.format}); the format asked for does not apply.`);
  } else if (!askedWeights) {
    notes.push(f.weights === chip.servingFormat
      ? `Weights in ${f.weights.toUpperCase()}, ${chip.name}'s usual serving format${kvNote}. Choose with \`weights\`/\`kv\`.`
      : `Weights in ${f.weights.toUpperCase()}${model.releasedScope === 'experts' ? ' (the experts; the rest BF16)' : ''}: ${model.name} was released only in that format, narrower than ${chip.name}'s usual ${chip.servingFormat.toUpperCase()}${kvNote}. Choose with \`weights\`/\`kv\`.`);
  }
  const weights = chip.runs.kind === 'hardwired' ? chip.servingFormat : f.weights;
  if (chip.runs.kind !== 'hardwired') {
    const c = computeFormat(chip, weights);
    const fam = cat.family(chip);
    const dequant = weightOnly(fam, chip, weights);
    const math = fam.dequantComputeEfficiency[weights];
    if (!c.native) {
      notes.push(dequant
        ? `${chip.name} publishes no ${weights.toUpperCase()} compute: the weights stay ${weights.toUpperCase()} in memory and are widened to 16 bits for the math (weight-only quantisation, as engines run it on this chip)` +
          (math ? `; widening them again for every tile of tokens leaves those matmuls about ${Math.round(math.expected * 100)}% of the 16-bit rate (fitted to measured runs).` : '.')
        : c.tflops === null
        ? `${chip.name} publishes no ${weights.toUpperCase()} compute (nor a wider format to run it in): the weights take ${weights.toUpperCase()}'s bytes, but the speed of its math is unknown.`
        : `${chip.name} publishes no ${weights.toUpperCase()} compute: the weights take ${weights.toUpperCase()}'s bytes, and the math is taken to run in ${c.format.toUpperCase()}, its nearest published format.`);
    }
    const wide = attentionKeptWide(weights, chip, model);
    if (wide) notes.push(`${model.name}'s FP4 checkpoint keeps the attention projections in ${wide.toUpperCase()} (only the FFN and expert layers are FP4): they are read and computed at ${wide.toUpperCase()}.`);
    const block = fam.blockScaleEfficiency;
    if (block && !dequant && blockScaledOutsideTensorCores(model, chip, weights)) {
      notes.push(`${model.name}'s ${weights.toUpperCase()} weights carry a scale per block, which ${chip.name}'s tensor cores do not apply: rescaling each block's partial sums on general-purpose cores leaves the matmuls about ${Math.round(block.expected * 100)}% of the ${weights.toUpperCase()} rate (fitted to measured runs${block.borrowedFrom ? `, borrowed from ${block.borrowedFrom}` : ''}).`);
    }
  }
  const input = o.input ?? defaults.input, output = o.output ?? defaults.output;
  if (input + output > model.maxContext) {
    return errorReply(`${model.name} handles at most ${model.maxContext.toLocaleString('en-US')} tokens of context (prompt + output); this asks for ${(input + output).toLocaleString('en-US')}.`,
      'Use a shorter `input`/`output` (or `context` for /fit).');
  }
  return {
    scenario: {
      model, chip, family: cat.family(chip), weights, kv,
      inputTokens: input, outputTokens: output,
      batch: o.batch ?? 1, chips: o.chips ?? 'auto', reserveFraction: cat.efficiency.runtimeReserve.fraction,
      specDecode: o.specDecode,
      mode: o.deployment,
      tpotTargetMs: o.tpotMs ?? cat.serving.defaultTpotMs,
      engineMaxBatch: cat.serving.engineMaxBatch(chip) ?? undefined,
    },
    notes,
  };
}
