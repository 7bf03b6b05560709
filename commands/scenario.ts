// Options shared by the commands that estimate: formats, batch, token counts.
import { z } from 'zod';
import { FORMATS, parseFormat } from '../src/core/formats.ts';
import { count } from './command.ts';

export const formatOption = z.string().refine((s) => parseFormat(s) !== null, {
  message: `not a number format I know; use one of ${FORMATS.join(', ')}`,
});

export const batchOption = count('batch', 1_000_000, { allow: 'max' }) as unknown as z.ZodType<number | 'max'>;

export const tokensOption = (what: string) => count(what, 100_000_000, { min: 0, word: 'tokens' });

export const FORMAT_CHOICES = FORMATS.map((f) => ({ name: f, value: f }));
