// Options shared by /frontier, /plan and /disagg: targets, load, limits, chip lists. Bad values (negative, zero,
// absurd) fail here with a message naming the option; execute() turns that into a private error.
import { z } from 'zod';
import type { Catalog } from '../src/catalog/load.ts';
import type { Chip } from '../src/catalog/schema.ts';
import { isReply, pickChip } from '../src/views/scenario.ts';
import { errorReply, type Reply } from '../src/reply/reply.ts';
import type { OptionSpec } from './command.ts';

/** A positive number with a sane ceiling, from a string or number. */
export const positive = (what: string, max: number, unit = '') =>
  z.coerce.number({ message: `${what} must be a number` })
    .refine((x) => Number.isFinite(x), `${what} must be a number`)
    .refine((x) => x > 0, `${what} must be more than 0`)
    .refine((x) => x <= max, `${what} of more than ${max.toLocaleString('en-US')}${unit} is not a target I can plan for`);

export const wholePositive = (what: string, max: number) =>
  positive(what, max).refine((x) => Number.isInteger(x), `${what} must be a whole number`);

export const targetOptions = {
  'ttft-ms': positive('ttft-ms', 600_000, ' ms').optional(),
  'tok-s-user': positive('tok-s-user', 1_000_000, ' tokens/s').optional(),
  'tpot-ms': positive('tpot-ms', 600_000, ' ms').optional(),
  users: wholePositive('users', 100_000_000).optional(),
};

export const chunkOption = z.coerce.number({ message: 'chunk must be a number of tokens' }).int('chunk must be a whole number')
  .min(0, 'chunk cannot be negative').max(1_000_000, 'chunk is too large').optional();

/** chip, chip2, … chipN: one option each, so every platform can autocomplete them. */
export function chipSlots(n: number, first: string, requiredFirst: boolean): { names: string[]; specs: OptionSpec[] } {
  const names = Array.from({ length: n }, (_, i) => (i === 0 ? 'chip' : `chip${i + 1}`));
  const specs = names.map((name, i): OptionSpec => ({
    name, type: 'string', autocomplete: 'chip', required: i === 0 && requiredFirst,
    description: i === 0 ? first : `Another chip to include (${name})`,
  }));
  return { names, specs };
}

/** Resolve the chips given, in order, without repeats; a typo is a polite error naming it. */
export function pickChips(cat: Catalog, texts: string[]): { chips: Chip[]; notes: string[] } | Reply {
  const chips: Chip[] = [], notes: string[] = [];
  for (const t of texts) {
    const c = pickChip(cat, t);
    if (isReply(c)) return c;
    if (c.note) notes.push(c.note);
    if (!chips.includes(c.item)) chips.push(c.item);
  }
  if (!chips.length) return errorReply('Which chips? Name at least one, e.g. `b200`.');
  return { chips, notes };
}

export function contextTooLong(name: string, max: number, asked: number): Reply {
  return errorReply(`${name} handles at most ${max.toLocaleString('en-US')} tokens of context (prompt + output); this asks for ${asked.toLocaleString('en-US')}.`, 'Use a shorter `input`/`output`.');
}

/** The per-user target from tok-s-user or tpot-ms (time per output token), or a polite error when both are given. */
export function perUserTarget(o: { 'tok-s-user'?: number; 'tpot-ms'?: number }, fallback: number): number | Reply {
  if (o['tok-s-user'] !== undefined && o['tpot-ms'] !== undefined) return errorReply('Give the speed as `tok-s-user` or as `tpot-ms`, not both.', 'tpot-ms 20 is the same target as tok-s-user 50.');
  return o['tok-s-user'] ?? (o['tpot-ms'] !== undefined ? 1000 / o['tpot-ms'] : fallback);
}

export const TPOT_OPTION: OptionSpec = { name: 'tpot-ms', description: 'Or the target as time per output token, ms (instead of tok-s-user)', type: 'integer' };
