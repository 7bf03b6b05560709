// Typed slash commands for the playground: "/fit llama-70b cerebras weights:fp8 context=32768" → name + options.
// Positional values fill the command's options in order; key:value or key=value set one by name; quotes keep spaces.
import type { Choice, Command, Context, OptionSpec } from '../../../commands/command.ts';
import { COMMANDS, findCommand } from '../../../commands/index.ts';
import { editDistance, suggest } from '../../catalog/resolve.ts';
import { autocomplete } from '../dispatch.ts';
import { EXAMPLES } from '../../../commands/examples.ts';
import { catalog as loadedCatalog, type Catalog } from '../../catalog/load.ts';
import { assignPositional, unknownOption } from '../args.ts';

export interface Subcommand { name: string; description: string; options: OptionSpec[] }
export type Parsed = { name: string; options: Record<string, string> } | { error: string };

/** One word of the input: its text with quotes removed, and `key` when it was written key:value / key=value. */
export interface Token { text: string; key?: string; quoted: boolean; start: number; end: number }

/** The command's subcommands, if it has any (e.g. /digest subscribe|list|unsubscribe). */
export function subcommandsOf(cmd: Command<any>): Subcommand[] | undefined {
  const subs = (cmd as unknown as { subcommands?: unknown }).subcommands;
  return Array.isArray(subs) && subs.length ? (subs as Subcommand[]) : undefined;
}

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };
const KEY = /^([A-Za-z][\w-]*)[:=]/;

/**
 * Split into words. A quote opens at the start of a word or right after its key ("model:"llama 3.1"); an unclosed
 * quote is reported as `open` (the playground's autocomplete still wants the partial word).
 */
export function tokenize(text: string): { tokens: Token[]; open?: string } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let out = '', quoted = false, key: string | undefined;
    const m = KEY.exec(text.slice(i));
    if (m && !(text[i] in QUOTES)) { key = m[1]; i += m[0].length; }
    while (i < text.length && !/\s/.test(text[i])) {
      const close = QUOTES[text[i]];
      if (close && (i === start || (key !== undefined && i === start + key.length + 1) || quoted)) {
        const end = text.indexOf(close, i + 1);
        if (end < 0) { tokens.push({ text: out + text.slice(i + 1), key, quoted: true, start, end: text.length }); return { tokens, open: text[i] }; }
        out += text.slice(i + 1, end);
        quoted = true;
        i = end + 1;
      } else out += text[i++];
    }
    tokens.push({ text: out, key, quoted, start, end: i });
  }
  return { tokens };
}

function closest(word: string, names: string[]): string | undefined {
  const w = word.toLowerCase();
  const best = names.map((n) => ({ n, d: editDistance(w, n.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= Math.max(1, Math.floor(w.length / 3)) ? best.n : undefined;
}

const list = (xs: string[]) => xs.map((x) => `\`${x}\``).join(', ');

/** The command a word names, or a polite "did you mean". */
export function commandFor(word: string): Command<any> | { error: string } {
  const name = word.replace(/^\//, '').toLowerCase();
  const cmd = findCommand(name);
  if (cmd) return cmd;
  const guess = closest(name, COMMANDS.map((c) => c.name));
  return { error: `I don't have a command called \`/${name}\`.${guess ? ` Did you mean \`/${guess}\`?` : ''} Commands: ${list(COMMANDS.map((c) => `/${c.name}`))}.` };
}

/** The options a command (or its chosen subcommand) takes, for positional filling and autocomplete. */
export function optionsFor(cmd: Command<any>, subcommand?: string): OptionSpec[] {
  const subs = subcommandsOf(cmd);
  if (!subs) return cmd.options;
  return subs.find((s) => s.name === subcommand)?.options ?? [];
}

/** Is this key:value word one of the command's options? (Otherwise "draft:llama-1b:4:0.7" is just a value.) */
function isOptionKey(tok: Token, specs: OptionSpec[]): boolean {
  return tok.key !== undefined && specs.some((o) => o.name.toLowerCase() === tok.key!.toLowerCase());
}

export function parseSlash(text: string, cat: Catalog = loadedCatalog()): Parsed {
  const trimmed = text.trim();
  if (!trimmed) return { error: 'Type a command, for example `/fit llama-70b cerebras` — or `/help` to see them all.' };
  if (trimmed.length > 2000) return { error: 'That is longer than a chat message can be (2,000 characters).' };
  if (!trimmed.startsWith('/')) return { error: `Commands start with a slash, for example \`/fit llama-70b cerebras\`. Type \`/help\` to see them all.` };
  const { tokens, open } = tokenize(trimmed);
  if (open) return { error: `A quote (${open}) is not closed. Put the value in a matching pair, e.g. \`/model "llama 3.1 70b"\`.` };
  const [head, ...rest] = tokens;
  if (!head || head.quoted || head.key !== undefined || head.text === '/') return { error: 'Type a command name after the slash, e.g. `/fit`. Type `/help` to see them all.' };
  const cmd = commandFor(head.text);
  if ('error' in cmd) return cmd;

  const options: Record<string, string> = {};
  let words = rest;
  const subs = subcommandsOf(cmd);
  if (subs) {
    const first = words[0];
    const names = subs.map((s) => s.name);
    if (!first || first.key !== undefined) {
      return { error: `\`/${cmd.name}\` needs one of: ${list(names)}. For example \`/${cmd.name} ${names[0]}\`.` };
    }
    const sub = subs.find((s) => s.name === first.text.toLowerCase());
    if (!sub) {
      const guess = closest(first.text, names);
      return { error: `\`/${cmd.name}\` has no \`${first.text}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Choose one of: ${list(names)}.` };
    }
    options.subcommand = sub.name;
    words = words.slice(1);
  }
  const specs = optionsFor(cmd, options.subcommand);
  const where = `/${cmd.name}${options.subcommand ? ` ${options.subcommand}` : ''}`;

  const positional: string[] = [];
  for (const tok of words) {
    if (tok.key !== undefined && isOptionKey(tok, specs)) {
      const spec = specs.find((o) => o.name.toLowerCase() === tok.key!.toLowerCase())!;
      if (spec.name in options) return { error: `\`${spec.name}\` is given twice.` };
      options[spec.name] = tok.text;
    } else if (tok.key !== undefined) {
      const u = unknownOption(`\`${where}\``, tok.key, specs.map((o) => o.name));
      return { error: `${u.error} ${u.hint}` };
    } else {
      positional.push(tok.text);
    }
  }
  const free = specs.filter((o) => !(o.name in options));
  const { values, extra } = assignPositional(free, positional, cat);
  if (extra.length) {
    if (!free.length) return { error: `\`${where}\` takes no more values, but got ${list(extra)}.` };
    return { error: `Too many values for \`${where}\`: ${list(extra)} left over. It takes ${list(free.map((o) => o.name))} in that order; put a value with spaces in quotes.` };
  }
  Object.assign(options, values);

  const missing = specs.filter((o) => o.required && !options[o.name]);
  if (missing.length) {
    const what = missing.map((o) => `the \`${o.name}\` option (${o.description.replace(/^./, (c) => c.toLowerCase())})`).join(' and ');
    return { error: `\`${where}\` needs ${what}. Usage: \`${usage(cmd, options.subcommand)}\`${EXAMPLES[cmd.name] ? `, for example \`${EXAMPLES[cmd.name]}\`` : ''}.` };
  }
  return { name: cmd.name, options };
}

/** "/fit <model> <chip> [weights] [context] …" */
export function usage(cmd: Command<any>, subcommand?: string): string {
  const specs = optionsFor(cmd, subcommand);
  return [`/${cmd.name}`, ...(subcommand ? [subcommand] : []), ...specs.map((o) => (o.required ? `<${o.name}>` : `[${o.name}]`))].join(' ');
}

/** Choices as the option's own list, for options (e.g. of subcommands) that dispatch.autocomplete does not know. */
export function choicesOf(spec: OptionSpec, partial: string): Choice[] {
  const q = partial.toLowerCase();
  return (spec.choices ?? []).filter((c) => c.name.toLowerCase().includes(q) || c.value.toLowerCase().includes(q)).slice(0, 25);
}

export interface Suggestion {
  /** what the dropdown shows */
  label: string;
  /** a short explanation (the option's description, the chip's id) */
  detail?: string;
  /** the whole input after accepting it */
  text: string;
}

const quoteIfNeeded = (v: string) => (/[\s"]/.test(v) ? (v.includes('"') ? `'${v}'` : `"${v}"`) : v);

/**
 * Up to 25 suggestions for what is being typed at the end of `text`: the command name, a subcommand, an option
 * name ("weights:"), or the value of the option under the cursor (via dispatch.autocomplete).
 */
export function completeSlash(text: string, ctx: Context): Suggestion[] {
  if (!text.startsWith('/') || text.length > 2000) return [];
  const { tokens, open } = tokenize(text);
  const atNewWord = /\s$/.test(text) && !open;
  if (tokens.length === 0 || (tokens.length === 1 && !atNewWord)) {
    const partial = (tokens[0]?.text ?? '/').replace(/^\//, '').toLowerCase();
    const starts = COMMANDS.filter((c) => c.name.startsWith(partial));
    const contains = COMMANDS.filter((c) => !c.name.startsWith(partial) && c.name.includes(partial));
    return [...starts, ...contains].slice(0, 25).map((c) => ({ label: `/${c.name}`, detail: c.description, text: `/${c.name} ` }));
  }
  const cmd = findCommand(tokens[0].text);
  if (!cmd) return [];
  const current: Token = atNewWord ? { text: '', quoted: false, start: text.length, end: text.length } : tokens[tokens.length - 1];
  let previous = tokens.slice(1, atNewWord ? undefined : -1);
  const before = text.slice(0, current.start);
  const subs = subcommandsOf(cmd);
  let sub: string | undefined;
  if (subs) {
    if (previous.length === 0) {
      const q = current.text.toLowerCase();
      return subs.filter((s) => s.name.startsWith(q)).slice(0, 25).map((s) => ({ label: s.name, detail: s.description, text: `${before}${s.name} ` }));
    }
    sub = previous[0].text.toLowerCase();
    previous = previous.slice(1);
  }
  const specs = optionsFor(cmd, sub);
  const named = new Set(previous.filter((t) => isOptionKey(t, specs)).map((t) => t.key!.toLowerCase()));
  // the words typed so far fill options as parseSlash would (a chip may take two words: "h100 sxm")
  const freeBefore = specs.filter((o) => !named.has(o.name.toLowerCase()));
  const positionalCount = Object.keys(assignPositional(freeBefore, previous.filter((t) => !isOptionKey(t, specs)).map((t) => t.text), ctx.catalog).values).length;

  const values = (spec: OptionSpec, partial: string, prefix: string): Suggestion[] => {
    let choices = autocomplete(cmd.name, spec.name, partial, ctx);
    if (!choices.length && sub) {
      if (spec.autocomplete === 'model') choices = suggest(ctx.catalog.models, partial, 25);
      else if (spec.autocomplete === 'chip') choices = suggest(ctx.catalog.chips, partial, 25);
      else choices = choicesOf(spec, partial);
    }
    return choices.map((c) => ({ label: c.name, detail: c.name === c.value ? spec.name : c.value, text: `${before}${prefix}${quoteIfNeeded(c.value)} ` }));
  };

  if (current.key !== undefined && isOptionKey(current, specs)) {
    const spec = specs.find((o) => o.name.toLowerCase() === current.key!.toLowerCase())!;
    return values(spec, current.text, `${spec.name}:`).slice(0, 25);
  }
  const free = specs.filter((o) => !named.has(o.name.toLowerCase()));
  const slot = free[positionalCount];
  const partial = current.key !== undefined ? text.slice(current.start, current.end) : current.text;
  const out: Suggestion[] = slot && current.key === undefined ? values(slot, partial, '') : [];
  if (!slot?.required) {
    const q = partial.toLowerCase();
    const unused = free.slice(positionalCount).filter((o) => o.name.toLowerCase().startsWith(q));
    out.push(...unused.map((o) => ({ label: `${o.name}:`, detail: o.description, text: `${before}${o.name}:` })));
  }
  return out.slice(0, 25);
}
