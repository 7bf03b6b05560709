// What a command is: a name, typed options, run(input) → Reply, and autocomplete. No platform types here.
import { z } from 'zod';
import type { Catalog } from '../src/catalog/load.ts';
import { errorReply, type Reply } from '../src/reply/reply.ts';

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
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const opt = issue.path.join('.') || 'input';
    return errorReply(`The option \`${opt}\` is not right: ${issue.message}.`, `Try \`/help ${cmd.name}\` for what each option takes.`);
  }
  try {
    return await cmd.run(parsed.data, ctx);
  } catch (e) {
    console.error(`command /${cmd.name} failed:`, e);
    return errorReply('Something went wrong on my side while answering that. It has been logged; please try again.');
  }
}

/** A whole number from a string or number, with a friendly message. */
export const count = (what: string, max: number) =>
  z.coerce.number({ message: `${what} must be a number` }).int(`${what} must be a whole number`).min(1, `${what} must be at least 1`).max(max, `${what} can be at most ${max.toLocaleString('en-US')}`);
