// /landscape [model] — every chip on one model, along the flexibility-for-speed spectrum.
import { z } from 'zod';
import { DEFAULT_MODEL } from '../src/views/defaults.ts';
import { landscapeReply } from '../src/views/landscape.ts';
import { isReply, pickModel } from '../src/views/scenario.ts';
import type { Command } from './command.ts';
import { DEPLOYMENT_OPTION, deploymentOption } from './scenario.ts';

const Input = z.object({ model: z.string().optional(), deployment: deploymentOption.optional() });

export const landscapeCommand: Command<z.infer<typeof Input>> = {
  name: 'landscape',
  description: 'Every chip on one model, along the flexibility-for-speed spectrum',
  options: [{ name: 'model', description: `Model (default ${DEFAULT_MODEL})`, type: 'string', autocomplete: 'model' }, DEPLOYMENT_OPTION],
  input: Input,
  slow: true,
  run(o, ctx) {
    const m = pickModel(ctx.catalog, o.model ?? DEFAULT_MODEL);
    return isReply(m) ? m : landscapeReply(ctx.catalog, m.item, o.deployment ?? 'fastest');
  },
};
