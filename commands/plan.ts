// /plan model — the cheapest deployment on each chip that meets a first-token target, a per-user speed and a load.
import { z } from 'zod';
import { refusal } from '../src/core/fit.ts';
import { parseFormat } from '../src/core/formats.ts';
import { DEFAULT_INPUT, DEFAULT_OUTPUT } from '../src/views/defaults.ts';
import { chipArgs, priced } from '../src/views/deploy.ts';
import { planReply } from '../src/views/plan.ts';
import { isReply, pickModel } from '../src/views/scenario.ts';
import { errorReply } from '../src/reply/reply.ts';
import { count, type Command } from './command.ts';
import { chipSlots, chunkOption, contextTooLong, perUserTarget, pickChips, positive, targetOptions, TPOT_OPTION, wholePositive } from './deploy-options.ts';
import { FORMAT_CHOICES, formatOption, tokensOption } from './scenario.ts';

export const PLAN_DEFAULTS = { ttftMs: 1000, perUser: 20, users: 100 };
export const PLAN_CHIPS = chipSlots(4, 'Only consider this chip (default: every chip that can run the model)', false);

const Input = z.object({
  model: z.string().min(1),
  ...targetOptions,
  rps: positive('rps', 10_000_000, ' requests/s').optional(),
  ...Object.fromEntries(PLAN_CHIPS.names.map((n) => [n, z.string().optional()])),
  'max-chips': wholePositive('max-chips', 10_000_000).optional(),
  budget: positive('budget', 1e9, ' $/hour').optional(),
  'max-kw': positive('max-kw', 1e7, ' kW').optional(),
  weights: formatOption.optional(),
  input: tokensOption('input').optional(),
  output: count('output', 1_000_000).optional(),
  chunk: chunkOption,
});
type Input = z.infer<typeof Input>;

export const planCommand: Command<Input> = {
  name: 'plan',
  description: 'The cheapest deployment per chip that meets your latency targets at your load',
  options: [
    { name: 'model', description: 'Model, e.g. llama-3.1-70b', type: 'string', required: true, autocomplete: 'model' },
    { name: 'ttft-ms', description: `First-token target, ms (default ${PLAN_DEFAULTS.ttftMs})`, type: 'integer' },
    { name: 'tok-s-user', description: `Tokens/s each user sees, at least (default ${PLAN_DEFAULTS.perUser})`, type: 'integer' },
    TPOT_OPTION,
    { name: 'users', description: `Concurrent users (default ${PLAN_DEFAULTS.users})`, type: 'integer' },
    { name: 'rps', description: 'Or a load in requests per second (instead of users)', type: 'integer' },
    ...PLAN_CHIPS.specs,
    { name: 'max-chips', description: 'At most this many chips in total', type: 'integer' },
    { name: 'budget', description: 'At most this many $ per hour (needs prices)', type: 'integer' },
    { name: 'max-kw', description: 'At most this many kW of chip power', type: 'integer' },
    { name: 'weights', description: 'One weight format only (default: each chip’s usual and native formats)', type: 'string', choices: FORMAT_CHOICES },
    { name: 'input', description: `Prompt tokens (default ${DEFAULT_INPUT})`, type: 'integer' },
    { name: 'output', description: `Output tokens (default ${DEFAULT_OUTPUT})`, type: 'integer' },
    { name: 'chunk', description: 'Chunked prefill: prompt tokens per step (default off)', type: 'integer' },
  ],
  input: Input,
  run(o, ctx) {
    const m = pickModel(ctx.catalog, o.model);
    if (isReply(m)) return m;
    if (o.users !== undefined && o.rps !== undefined) return errorReply('Give the load as `users` or as `rps`, not both.');
    const texts = chipArgs(o, PLAN_CHIPS.names);
    let chips = ctx.catalog.chips.filter((c) => !refusal(m.item, c));
    const notes: string[] = [];
    const cannot = ctx.catalog.chips.filter((c) => refusal(m.item, c));
    if (texts.length) {
      const picked = pickChips(ctx.catalog, texts);
      if (isReply(picked)) return picked;
      chips = picked.chips;
      notes.push(...picked.notes);
    } else if (cannot.length) notes.push(`Not considered (cannot run ${m.item.name}): ${cannot.map((c) => c.name).join(', ')}.`);
    const input = o.input ?? DEFAULT_INPUT, output = o.output ?? DEFAULT_OUTPUT;
    if (input + output > m.item.maxContext) return contextTooLong(m.item.name, m.item.maxContext, input + output);
    const perUser = perUserTarget(o, PLAN_DEFAULTS.perUser);
    if (isReply(perUser)) return perUser;
    const defaults = [o['ttft-ms'] === undefined ? `first token ≤ ${PLAN_DEFAULTS.ttftMs} ms` : '', o['tok-s-user'] === undefined && o['tpot-ms'] === undefined ? `${PLAN_DEFAULTS.perUser} tokens/s per user` : '',
      o.users === undefined && o.rps === undefined ? `${PLAN_DEFAULTS.users} users` : ''].filter(Boolean);
    if (defaults.length) notes.push(`Not given, so assumed: ${defaults.join(', ')}.`);
    const reply = planReply(ctx.catalog, {
      model: m.item, chips: chips.map((c) => priced(ctx.catalog, c)), inputTokens: input, outputTokens: output,
      targets: { ttftMs: o['ttft-ms'] ?? PLAN_DEFAULTS.ttftMs, perUser },
      load: o.rps !== undefined ? { requestsPerSecond: o.rps } : { users: o.users ?? PLAN_DEFAULTS.users },
      limits: { maxChips: o['max-chips'], maxUsdPerHour: o.budget, maxKw: o['max-kw'] },
      weights: o.weights ? parseFormat(o.weights)! : undefined, chunkTokens: o.chunk || null,
    });
    reply.notes.unshift(...notes);
    return reply;
  },
};
