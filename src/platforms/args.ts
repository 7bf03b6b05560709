// What the typed-text platforms (playground, Slack, CLI) share when they turn words into a command's options:
// positional words fill the free options in order, and a model or chip option takes the longest run of words that
// names a catalog entry ("llama 3.1 70b h100 sxm fp8" → model "llama 3.1 70b", chip "h100 sxm", weights "fp8").
import type { OptionSpec } from '../../commands/command.ts';
import type { Reply } from '../reply/reply.ts';
import type { Catalog } from '../catalog/load.ts';
import { editDistance, namesEntry } from '../catalog/resolve.ts';
import { parseFormat } from '../core/formats.ts';

/** Does this run of words name a catalog entry of the option's kind? */
function names(spec: OptionSpec, words: string[], cat: Catalog): boolean {
  // "h100 sxm fp8" would normalise to "h100 sxm" (release suffixes are dropped): a trailing format is the next option
  if (words.length > 1 && parseFormat(words[words.length - 1]) !== null) return false;
  const text = words.join(' ');
  return spec.autocomplete === 'model' || spec.autocomplete === 'chip' ? namesEntry(cat, spec.autocomplete, text) : false;
}

/**
 * Fill `free` options (in order) from positional `words`. A model/chip option takes the longest run of words that
 * resolves; when only one free text option is left it takes every remaining word ("/model llama 3.1 70b").
 * Words that fit nowhere come back as `extra`.
 */
export function assignPositional(free: OptionSpec[], words: string[], cat: Catalog): { values: Record<string, string>; extra: string[] } {
  const values: Record<string, string> = {};
  let i = 0;
  for (let s = 0; s < free.length && i < words.length; s++) {
    const spec = free[s];
    // a number option never takes a word that is not a number (`plan llama-70b h200 …` names a chip, not a tpot-ms)
    if (spec.type === 'integer' && !/^-?\d+(\.\d+)?$/.test(words[i])) continue;
    const left = words.length - i;
    let n = 1;
    if (spec.autocomplete === 'model' || spec.autocomplete === 'chip') {
      for (let k = left; k > 1; k--) if (names(spec, words.slice(i, i + k), cat)) { n = k; break; }
    }
    const lastText = s === free.length - 1 && spec.type === 'string' && !spec.choices && !spec.autocomplete;
    if (n === 1 && lastText && left > 1) n = left;
    values[spec.name] = words.slice(i, i + n).join(' ');
    i += n;
  }
  return { values, extra: words.slice(i) };
}

/** The name in `candidates` closest to `word` by spelling, when it is close enough to be a likely typo. */
export function closestName(word: string, candidates: string[]): string | undefined {
  const w = word.toLowerCase();
  const best = candidates.map((n) => ({ n, d: editDistance(w, n.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= Math.max(2, Math.floor(w.length / 3)) ? best.n : undefined;
}

/** "`/fit` has no option `weigths`. Did you mean `weights`?" + the list, or "takes no options". */
export function unknownOption(where: string, key: string, options: string[], show: (name: string) => string = (n) => `\`${n}\``): { error: string; hint: string } {
  const guess = closestName(key, options);
  return {
    error: `${where} has no option called ${show(key)}.${guess ? ` Did you mean ${show(guess)}?` : ''}`,
    hint: options.length ? `Options: ${options.map(show).join(', ')}.` : `${where} takes no options.`,
  };
}

/**
 * Chat syntax ("Try `/help fit`", "`/fit llama-70b cerebras`") rewritten for where the person is: "memwall " on the
 * command line, "/memwall " in Slack's namespaced command. Only words that name a command change.
 */
export function rewriteCommands(text: string, names: string[], prefix: string): string {
  const re = new RegExp(`(^|[\\s\`("“'])/(${names.join('|')})\\b`, 'g');
  return text.replace(re, `$1${prefix}$2`);
}

/** Every text of a reply, rewritten with rewriteCommands. */
export function rewriteReply(reply: Reply, names: string[], prefix: string): Reply {
  const w = (t: string) => rewriteCommands(t, names, prefix);
  return {
    ...reply, title: w(reply.title), summary: w(reply.summary), notes: reply.notes.map(w), warnings: reply.warnings.map(w),
    fields: reply.fields.map((f) => ({ ...f, name: w(f.name), value: w(f.value) })),
  };
}
