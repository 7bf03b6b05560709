// /compare chip chip [phase] [model] — side by side, with the bottleneck behind each number and why the winner wins.
import { z } from 'zod';
import { errorReply } from '../src/reply/reply.ts';
import { compareReply, PHASES, side } from '../src/views/compare.ts';
import { DEFAULT_MODEL } from '../src/views/defaults.ts';
import { isReply } from '../src/views/scenario.ts';
import type { Command } from './command.ts';
import { DEPLOYMENT_OPTION, deploymentOption } from './scenario.ts';

const Input = z.object({
  a: z.string().min(1),
  b: z.string().min(1),
  phase: z.enum(PHASES, { message: 'phase is prefill, decode or both' }).default('both'),
  model: z.string().optional(),
  deployment: deploymentOption.optional(),
});
type Input = z.infer<typeof Input>;

export const compareCommand: Command<Input> = {
  name: 'compare',
  description: 'Two chips side by side: who is faster at prefill or decode, and why',
  options: [
    { name: 'a', description: 'First chip, e.g. groq', type: 'string', required: true, autocomplete: 'chip' },
    { name: 'b', description: 'Second chip, e.g. etched', type: 'string', required: true, autocomplete: 'chip' },
    { name: 'phase', description: 'prefill, decode or both (default both)', type: 'string', choices: PHASES.map((p) => ({ name: p, value: p })) },
    { name: 'model', description: `Model (default ${DEFAULT_MODEL})`, type: 'string', autocomplete: 'model' },
    DEPLOYMENT_OPTION,
  ],
  input: Input,
  slow: true,
  run(o, ctx) {
    const modelText = o.model ?? DEFAULT_MODEL;
    const mode = o.deployment ?? 'fastest';
    const A = side(ctx.catalog, o.a, modelText, mode);
    if (isReply(A)) return A;
    const B = side(ctx.catalog, o.b, modelText, mode);
    if (isReply(B)) return B;
    if (A.chip.id === B.chip.id) return errorReply(`Both names are ${A.chip.name}.`, 'Pick two different chips, e.g. `/compare groq etched decode`.');
    return compareReply(A, B, o.phase, A.one.model.name, mode);
  },
};
