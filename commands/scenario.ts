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

export const DEPLOYMENT_MODES = ['fastest', 'system', 'fewest'] as const;
export const deploymentOption = z.enum(DEPLOYMENT_MODES, { message: 'deployment is fastest (per user, within standard systems), system (one system for throughput) or fewest (chips that fit)' });
export const DEPLOYMENT_OPTION = {
  name: 'deployment', type: 'string' as const,
  description: 'fastest per user (default), system (one standard system), or fewest chips that fit',
  choices: DEPLOYMENT_MODES.map((m) => ({ name: m, value: m })),
};
