// /sources — how the numbers are made and how close they come to published measurements.
import { z } from 'zod';
import { validateReply } from '../src/views/validation.ts';
import type { Command } from './command.ts';

export const sourcesCommand: Command<Record<string, never>> = {
  name: 'sources',
  description: 'How the numbers are made and how accurate they are',
  options: [],
  input: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  run: (_o, ctx) => validateReply(ctx.catalog, false),
};
