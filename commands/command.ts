// What a command is: a name, typed options, run(input) → Reply, and autocomplete. No platform types here.
import { z } from 'zod';
import type { Catalog } from '../src/catalog/load.ts';
import { errorReply, type Reply } from '../src/reply/reply.ts';
import { EXAMPLES } from './examples.ts';

export interface Choice { name: string; value: string }

export interface OptionSpec {
  name: string;
  description: string;
  type: 'string' | 'integer';
  required?: boolean;
  choices?: Choice[];
  /** suggest catalog names as the user types */
  autocomplete?: 'model' | 'chip' | 'topic' | 'link';
}

export interface Context {
  catalog: Catalog;
  /** where the command was asked, for commands that act on a channel (digests) */
  channel?: {
    platform: 'discord' | 'slack' | 'local'; id: string; guildId?: string; canManage?: boolean;
    /** whether the bot can post in this channel (Slack: a member of it); null when it cannot tell */
    botInChannel?: () => Promise<boolean | null>;
  };
  /** the current time, injected so commands stay testable */
  now?: () => Date;
  /** subscriptions and previews for /digest, when a database is configured */
  digest?: import('../src/digest/service.ts').DigestService;
}

export interface Command<I = Record<string, unknown>> {
  name: string;
  description: string;
  options: OptionSpec[];
  input: z.ZodType<I>;
  run(input: I, ctx: Context): Reply | Promise<Reply>;
  /** Discord: only members with this permission see the command by default (e.g. Manage Channels) */
  defaultMemberPermissions?: string;
  /** may take longer than a platform's 3-second window (charts, digests) */
  slow?: boolean;
}

/** Validate raw options with the command's schema and run it; bad input becomes a polite private reply. */
export async function execute(cmd: Command<any>, raw: Record<string, unknown>, ctx: Context): Promise<Reply> {
  const cleaned: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== null && v !== '') cleaned[k] = v;
  const parsed = cmd.input.safeParse(cleaned);
  if (!parsed.success) return optionError(cmd, parsed.error.issues[0], cleaned);
  try {
    return await cmd.run(parsed.data, ctx);
  } catch (e) {
    console.error(`command /${cmd.name} failed:`, e);
    return errorReply('Something went wrong on my side while answering that. It has been logged; please try again.');
  }
}

/** The options a command (or the subcommand chosen in `raw`) declares. */
function specsFor(cmd: Command<any>, raw: Record<string, unknown>): OptionSpec[] {
  const subs = (cmd as { subcommands?: { name: string; options: OptionSpec[] }[] }).subcommands;
  return [...cmd.options, ...(subs?.find((s) => s.name === raw.subcommand)?.options ?? [])];
}

/** A validation issue in plain words: which option, what it takes, and an example (never the validator's wording). */
function optionError(cmd: Command<any>, issue: z.core.$ZodIssue, raw: Record<string, unknown>): Reply {
  const name = String(issue.path[0] ?? '');
  const spec = specsFor(cmd, raw).find((o) => o.name === name);
  const takes = spec ? ` It takes ${spec.description.replace(/^./, (c) => c.toLowerCase())}.` : '';
  const example = EXAMPLES[cmd.name] ? `For example \`${EXAMPLES[cmd.name]}\`; ` : '';
  const hint = `${example}\`/help ${cmd.name}\` lists every option.`;
  if (name && !(name in raw)) {
    const what = spec ? `the \`${name}\` option (${spec.description.replace(/^./, (c) => c.toLowerCase())})` : `\`${name}\``;
    return errorReply(`\`/${cmd.name}\` needs ${what}.`, hint);
  }
  // our own checks already name the option ("batch is too large: …"); the validator's wording does not
  const ours = issue.code === 'custom' || (issue.message && !/^Invalid|expected|received/i.test(issue.message));
  // "batch is too large…" starts with the option's own name, as typed; other wording gets the name first
  const said = issue.message.toLowerCase().startsWith(name.toLowerCase()) ? issue.message : `\`${name}\`: ${issue.message}`;
  const what = ours ? `${said}.` : `The option \`${name || 'input'}\` is not right.`;
  return errorReply(`${what}${takes}`, hint);
}

/**
 * A whole number from a string or number, with plain-words errors that name the option:
 * "batch is too large: at most 1,000,000", never "must be a whole number" for 1e308.
 */
export const count = (what: string, max: number, opts: { min?: number; word?: string; allow?: string } = {}) => {
  const min = opts.min ?? 1;
  return z.union([z.number(), z.string()], { message: `${what} must be a number` }).transform((v, ctx) => {
    if (opts.allow && typeof v === 'string' && v.trim().toLowerCase() === opts.allow) return opts.allow as unknown as number;
    const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v.trim().replace(/[,_]/g, ''));
    const fail = (message: string) => { ctx.addIssue({ code: 'custom', message }); return z.NEVER; };
    const example = `e.g. ${Math.min(max, Math.max(min, 8)).toLocaleString('en-US')}`;
    if (Number.isNaN(n)) return fail(`${what} must be a number${opts.word ? ` of ${opts.word}` : ''}${opts.allow ? ` or "${opts.allow}"` : ''} (${example}), not "${String(v).slice(0, 40)}"`);
    if (n > max) return fail(`${what} is too large: at most ${max.toLocaleString('en-US')}`);
    if (n < min) return fail(min === 0 ? `${what} cannot be negative` : `${what} must be at least ${min.toLocaleString('en-US')}`);
    if (!Number.isInteger(n)) return fail(`${what} must be a whole number (${example})`);
    return n;
  });
};
