// Slash-command definitions for Discord's bulk-overwrite endpoint, built from the same COMMANDS every platform uses.
import type { Command, OptionSpec } from '../../../commands/command.ts';
import { COMMANDS } from '../../../commands/index.ts';

/** Application command option types used here (application-commands: option type). */
export const OptionType = { SubCommand: 1, SubCommandGroup: 2, String: 3, Integer: 4 } as const;
const CHAT_INPUT = 1;
const GUILD_CONTEXT = 0;

export interface DiscordOptionDefinition {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: { name: string; value: string | number }[];
  autocomplete?: boolean;
  options?: DiscordOptionDefinition[];
}

export interface DiscordCommandDefinition {
  type: number;
  name: string;
  description: string;
  options: DiscordOptionDefinition[];
  default_member_permissions?: string;
  dm_permission: false;
  contexts: number[];
}

/** A subcommand as a command module may declare it (the /digest command does). */
export interface SubcommandSpec { name: string; description: string; options: OptionSpec[] }

/** Discord: names 1–32 chars, lowercase; descriptions 1–100 chars. */
const name32 = (s: string) => s.toLowerCase().replace(/[^-_\p{L}\p{N}]/gu, '-').slice(0, 32) || 'x';
const desc100 = (s: string) => {
  const t = s.replace(/\s+/g, ' ').trim() || '—';
  return t.length <= 100 ? t : `${t.slice(0, 99).trimEnd()}…`;
};

export function optionDefinition(o: OptionSpec): DiscordOptionDefinition {
  const type = o.type === 'integer' ? OptionType.Integer : OptionType.String;
  const def: DiscordOptionDefinition = { type, name: name32(o.name), description: desc100(o.description), required: o.required ?? false };
  const choices = (o.choices ?? []).map((c) => ({ name: desc100(c.name), value: type === OptionType.Integer ? Number(c.value) : String(c.value).slice(0, 100) }));
  // Discord allows at most 25 static choices and never choices together with autocomplete; a longer list is
  // offered through autocomplete instead (dispatch.autocomplete filters an option's choices).
  if (choices.length && choices.length <= 25 && !o.autocomplete) def.choices = choices;
  else if (o.autocomplete || choices.length > 25) def.autocomplete = true;
  else if (choices.length) def.choices = choices;
  return def;
}

/** Required options first (Discord refuses a required option after an optional one); at most 25. */
function optionList(options: OptionSpec[]): DiscordOptionDefinition[] {
  const defs = options.map(optionDefinition);
  return [...defs.filter((d) => d.required), ...defs.filter((d) => !d.required)].slice(0, 25);
}

export function commandDefinition(cmd: Command<any>): DiscordCommandDefinition {
  const subcommands = (cmd as Command<any> & { subcommands?: SubcommandSpec[] }).subcommands;
  const options: DiscordOptionDefinition[] = subcommands?.length
    ? subcommands.slice(0, 25).map((s) => ({ type: OptionType.SubCommand, name: name32(s.name), description: desc100(s.description), options: optionList(s.options ?? []) }))
    : optionList(cmd.options);
  const def: DiscordCommandDefinition = {
    type: CHAT_INPUT,
    name: name32(cmd.name),
    description: desc100(cmd.description),
    options,
    dm_permission: false,
    contexts: [GUILD_CONTEXT],
  };
  if (cmd.defaultMemberPermissions !== undefined) def.default_member_permissions = String(cmd.defaultMemberPermissions);
  return def;
}

/** Every command, as the body of PUT /applications/{id}[/guilds/{guild}]/commands. */
export function discordCommandDefinitions(commands: Command<any>[] = COMMANDS): DiscordCommandDefinition[] {
  return commands.map(commandDefinition);
}
