// Options shared by the commands that estimate: formats, batch, token counts.
import { z } from 'zod';
import { FORMATS, parseFormat } from '../src/core/formats.ts';
import { count } from './command.ts';

export const formatOption = z.string().refine((s) => parseFormat(s) !== null, {
  message: `use one of ${FORMATS.join(', ')}`,
});

export const batchOption = z.union([z.literal('max'), count('batch', 1_000_000)]);

export const tokensOption = (what: string) =>
  z.coerce.number({ message: `${what} must be a number of tokens` }).int(`${what} must be a whole number`).min(0, `${what} cannot be negative`).max(100_000_000, `${what} is too large`);

export const FORMAT_CHOICES = FORMATS.map((f) => ({ name: f, value: f }));
