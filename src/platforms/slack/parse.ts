// The text after a Slack slash command → the command's options.
//   /compare groq etched decode                  positional values fill the options in order
//   /fit llama-70b cerebras weights:fp8 context=32768   key:value or key=value set a named option
//   /digest subscribe weekly                     a command with subcommands takes the first word as the subcommand
import type { Command, OptionSpec } from '../../../commands/command.ts';
import { COMMANDS } from '../../../commands/index.ts';
import { catalog as loadedCatalog, type Catalog } from '../../catalog/load.ts';
import { assignPositional, closestName, unknownOption } from '../args.ts';

export type Parsed = { options: Record<string, unknown> } | { error: string; hint?: string };

interface SubcommandLike { name: string; options?: OptionSpec[] }

/** The subcommands a command declares, whatever shape it uses (array of names/objects, or a name-keyed record). */
export function subcommandsOf(cmd: Command<any>): SubcommandLike[] | undefined {
  const subs = (cmd as unknown as { subcommands?: unknown }).subcommands;
  if (!subs) return undefined;
  const list: SubcommandLike[] = [];
  const add = (name: unknown, value: unknown) => {
    if (typeof name !== 'string' || !name) return;
    const options = value && typeof value === 'object' && Array.isArray((value as { options?: unknown }).options)
      ? (value as { options: OptionSpec[] }).options : undefined;
    list.push({ name, options });
  };
  if (Array.isArray(subs)) {
    for (const s of subs) typeof s === 'string' ? add(s, undefined) : add((s as { name?: unknown })?.name, s);
  } else if (typeof subs === 'object') {
    for (const [k, v] of Object.entries(subs as Record<string, unknown>)) add((v as { name?: unknown })?.name ?? k, v);
  }
  return list.length ? list : undefined;
}

/** Slack escapes &, <, > in command text; quotes may arrive "smart". */
function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Words; "double" or “smart” quotes group spaces, also inside a value (model:"llama 3.1 70b"). */
export function words(text: string): string[] {
  const out: string[] = [];
  const re = /(?:[^\s"“”]|"[^"]*"?|“[^”]*”?)+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const w = m[0].replace(/["“”]/g, '');
    if (w) out.push(w);
  }
  return out;
}

function schemaKeys(cmd: Command<any>): string[] {
  const shape = (cmd.input as unknown as { shape?: Record<string, unknown> }).shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

export function parseCommandText(cmd: Command<any>, rawText: string, cat: Catalog = loadedCatalog()): Parsed {
  let tokens = words(unescape(rawText ?? '').trim());
  const options: Record<string, unknown> = {};
  let specs: OptionSpec[] = cmd.options;

  const subs = subcommandsOf(cmd);
  if (subs) {
    const first = tokens[0];
    if (first !== undefined && !/^[\w-]+[:=]/.test(first)) {
      const sub = subs.find((s) => s.name.toLowerCase() === first.toLowerCase());
      options.subcommand = sub?.name ?? first;
      if (sub?.options) specs = sub.options;
      tokens = tokens.slice(1);
    }
  }

  const names = [...new Set([...specs.map((o) => o.name), ...schemaKeys(cmd).filter((k) => k !== 'subcommand')])];
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  const positional: string[] = [];
  for (const t of tokens) {
    const m = /^([A-Za-z][\w-]*)[:=](.*)$/s.exec(t);
    if (m) {
      const name = byLower.get(m[1].toLowerCase()) ?? byLower.get(m[1].toLowerCase().replace(/_/g, '-'));
      if (!name) return unknownOption(`/${cmd.name}`, m[1], names);
      options[name] = m[2];
    } else positional.push(t);
  }

  const free = specs.filter((o) => !(o.name in options));
  const { values, extra } = assignPositional(free, positional, cat);
  if (extra.length) {
    return {
      error: `Too many values for /${cmd.name}: I don't know where \`${extra.join(' ')}\` goes.`,
      hint: `Usage: /${cmd.name} ${usageHint(cmd)}`,
    };
  }
  Object.assign(options, values);
  return { options };
}

/** "<model> <chip> [weights:…] [context:…]" from the option specs, for the manifest and for hints. */
export function usageHint(cmd: Command<any>): string {
  const subs = subcommandsOf(cmd);
  const optsHint = (specs: OptionSpec[]) => specs.map((o) => {
    if (o.required) return `<${o.name}>`;
    if (o.choices && o.choices.length <= 4) return `[${o.choices.map((c) => c.value).join('|')}]`;
    return `[${o.name}:…]`;
  }).join(' ');
  if (subs) {
    return subs.map((s) => s.name).join('|') + (cmd.options.length ? ` ${optsHint(cmd.options)}` : '') + ' …';
  }
  return optsHint(cmd.options);
}

/** The one slash command a Slack workspace needs: `/memwall <command> …` (bare `/fit` etc. are optional). */
export const NAMESPACE = 'memwall';

/** "/memwall fit llama-70b cerebras" → the fit command and "llama-70b cerebras"; "/memwall" alone → help. */
export function routeNamespaced(text: string, commands: Command<any>[] = COMMANDS): { cmd: Command<any>; text: string } | { error: string; hint?: string } {
  const trimmed = unescape(text ?? '').trim();
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const name = first.replace(/^\//, '').toLowerCase() || 'help';
  const cmd = commands.find((c) => c.name === name);
  const list = commands.map((c) => `\`${c.name}\``).join(' ');
  if (!cmd) {
    const guess = closestName(name, commands.map((c) => c.name));
    return { error: `\`/${NAMESPACE}\` has no command \`${name}\`.${guess ? ` Did you mean \`/${NAMESPACE} ${guess}\`?` : ''}`, hint: `Commands: ${list}. For example \`/${NAMESPACE} fit llama-70b cerebras\`.` };
  }
  return { cmd, text: trimmed.slice(first.length).trim() || (first ? '' : rest.join(' ')) };
}
