// /help [command] — what memwall can answer, with examples.
import { z } from 'zod';
import { answer, errorReply } from '../src/reply/reply.ts';
import type { Command } from './command.ts';
import { EXAMPLES } from './examples.ts';

const Input = z.object({ command: z.string().optional() });

export function helpCommand(all: () => Command<any>[]): Command<z.infer<typeof Input>> {
  return {
    name: 'help',
    description: 'What memwall can answer, with examples',
    options: [{ name: 'command', description: 'A command to explain, e.g. fit', type: 'string', choices: Object.keys(EXAMPLES).map((k) => ({ name: k, value: k })) }],
    input: Input,
    run(o) {
      const cmds = all();
      if (o.command) {
        const c = cmds.find((x) => x.name === o.command!.replace(/^\//, '').toLowerCase());
        if (!c) return errorReply(`There is no /${o.command} command.`, `Commands: ${cmds.map((x) => `/${x.name}`).join(' ')}`);
        const opts = c.options.map((op) => ({ name: `${op.name}${op.required ? '' : ' (optional)'}`, value: op.description, inline: false }));
        return answer(`/${c.name}`, c.description, { fields: [...opts, { name: 'Example', value: `\`${EXAMPLES[c.name] ?? `/${c.name}`}\``, inline: false }] });
      }
      return answer('memwall — AI inference hardware, answered', 'Does a model fit, how fast is it, and why? Every number comes from a roofline model over sourced chip specs, with a range and the bottleneck that sets it.', {
        fields: cmds.map((c) => ({ name: `/${c.name}`, value: `${c.description}\n\`${EXAMPLES[c.name] ?? `/${c.name}`}\``, inline: false })),
        notes: ['Names are forgiving: `llama-70b`, `Llama-3.1-70B-Instruct`, `cerebras`, `h100 sxm` all work. Formats: bf16 fp16 fp8 int8 fp4 int4.'],
      });
    },
  };
}
