// The one entry point every platform calls: run a command, autocomplete an option, press a button.
import { execute, type Choice, type Context, type OptionSpec } from '../../commands/command.ts';
import { COMMANDS, findCommand } from '../../commands/index.ts';
import { compareCommand } from '../../commands/compare.ts';
import { explainers } from '../views/explain.ts';
import { rank, suggest } from '../catalog/resolve.ts';
import { commandDone } from '../ops/commands.ts';
import { errorReply, type Reply } from '../reply/reply.ts';

export async function runCommand(name: string, options: Record<string, unknown>, ctx: Context): Promise<Reply> {
  const cmd = findCommand(name);
  if (!cmd) {
    return errorReply(`I don't have a command called /${name.replace(/^\//, '')}.`, `Commands: ${COMMANDS.map((c) => `/${c.name}`).join(' ')}. Try /help.`);
  }
  const t0 = performance.now();
  const reply = await execute(cmd, options, ctx);
  commandDone({ command: cmd.name, outcome: reply.kind, ms: performance.now() - t0, platform: ctx.channel?.platform });
  return reply;
}

/** Up to 25 suggestions for a partly typed option value (fuzzy, aliases included). */
export function autocomplete(commandName: string, option: string, partial: string, ctx: Context): Choice[] {
  const cmd = findCommand(commandName);
  const subs = (cmd as { subcommands?: { options: OptionSpec[] }[] } | undefined)?.subcommands ?? [];
  const spec = cmd?.options.find((o) => o.name === option) ?? subs.flatMap((s) => s.options).find((o) => o.name === option);
  if (!spec) return [];
  if (spec.autocomplete === 'model') return suggest(ctx.catalog.models, partial, 25);
  if (spec.autocomplete === 'chip') return suggest(ctx.catalog.chips, partial, 25);
  if (spec.choices) {
    const q = partial.toLowerCase();
    return spec.choices.filter((c) => c.name.toLowerCase().includes(q)).slice(0, 25);
  }
  if (spec.autocomplete === 'link') {
    return rank(ctx.catalog.interconnects.map((i) => ({ id: i.id, name: i.name, aliases: [i.kind] })), partial).slice(0, 25).map((r) => ({ name: r.item.name.slice(0, 100), value: r.item.id }));
  }
  if (spec.autocomplete === 'topic') {
    return rank(explainers().map((e) => ({ id: e.id, name: e.title, aliases: e.aliases })), partial).slice(0, 25).map((r) => ({ name: r.item.name, value: r.item.id }));
  }
  return [];
}

/**
 * Buttons carry their whole state in the id, so a press can be answered by any process:
 * "compare:<phase>:<chipA>:<chipB>:<model>[:<deployment>]".
 */
export async function pressButton(id: string, ctx: Context): Promise<Reply> {
  const [kind, ...parts] = id.split(':');
  if (kind === 'compare' && (parts.length === 4 || parts.length === 5)) {
    const [phase, a, b, model, deployment] = parts;
    return execute(compareCommand, { a, b, phase, model, deployment }, ctx);
  }
  return errorReply('That button has expired or is not one of mine.', 'Run the command again to get fresh buttons.');
}
