// The shape of an incoming interaction, checked with zod at the boundary (after the signature, before any use).
// Only the fields memwall reads are checked; everything else Discord sends passes through untouched.
// Reference: discord-api-docs, interactions/receiving-and-responding ("Interaction Object",
// "Application Command Interaction Data Option Structure"). Options nest at most three deep:
// subcommand group → subcommand → option.
import { z } from 'zod';
import type { RawOption } from './shared.ts';

const OptionValue = z.union([z.string(), z.number(), z.boolean()]);
const optionFields = {
  name: z.string().min(1).max(100),
  type: z.number().int(),
  value: OptionValue.optional(),
  focused: z.boolean().optional(),
};
const Leaf = z.looseObject({ ...optionFields, options: z.undefined().optional() });
const Sub = z.looseObject({ ...optionFields, options: z.array(Leaf).max(25).optional() });
const Group = z.looseObject({ ...optionFields, options: z.array(Sub).max(25).optional() });
const Options = z.array(Group).max(25).optional();

const CommandData = z.looseObject({ name: z.string().min(1).max(100), options: Options });
/** A custom_id that is not a string of Discord's length (≤ 100) is nobody's button: it becomes "" ("not one of mine"). */
const ComponentData = z.looseObject({ custom_id: z.string().max(100).catch(''), component_type: z.number().int().optional() });

const id = z.string().min(1).max(64);
const where = {
  application_id: z.string().nullish(),
  channel_id: z.string().nullish(),
  channel: z.looseObject({ id: z.string().nullish() }).nullish(),
  guild_id: z.string().nullish(),
  member: z.looseObject({ permissions: z.string().nullish() }).nullish(),
};
const answerable = { id, token: z.string().min(1).max(1000), ...where };

const Ping = z.looseObject({ type: z.literal(1), id: id.optional(), ...where });
const ApplicationCommand = z.looseObject({ type: z.literal(2), ...answerable, data: CommandData });
const MessageComponent = z.looseObject({ type: z.literal(3), ...answerable, data: ComponentData });
const Autocomplete = z.looseObject({ type: z.literal(4), ...answerable, data: CommandData });
/** Types memwall does not handle (modal submit, future ones): just enough to refuse them politely. */
const Other = z.looseObject({ type: z.number().int().min(5), id: id.optional() });

const Interaction = z.union([Ping, ApplicationCommand, MessageComponent, Autocomplete, Other]);

/**
 * What memwall reads of a validated interaction. For types 2 and 4, `id`, `token` and `data.name` are present and the
 * options well formed; for type 3, `id`, `token` and a string `data.custom_id` (possibly "").
 */
export interface Interaction {
  id?: string;
  type: number;
  token?: string;
  channel_id?: string | null;
  channel?: { id?: string | null } | null;
  guild_id?: string | null;
  member?: { permissions?: string | null } | null;
  data?: { name?: string; options?: RawOption[]; custom_id?: string; component_type?: number };
}

/** The interaction, or one line saying what is wrong with it (never the body itself, which may hold a token). */
export function parseInteraction(raw: Buffer): { ok: true; interaction: Interaction } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, problem: 'the body is not JSON' };
  }
  const typed = json && typeof json === 'object' && !Array.isArray(json) ? (json as { type?: unknown }) : undefined;
  const schema = typed && typeof typed.type === 'number' ? ({ 1: Ping, 2: ApplicationCommand, 3: MessageComponent, 4: Autocomplete } as Record<string, z.ZodType>)[String(typed.type)] ?? Interaction : Interaction;
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, interaction: r.data as Interaction };
  const issue = r.error.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return { ok: false, problem: `${path || 'the body'}: ${issue.message}`.replace(/\s+/g, ' ').slice(0, 300) };
}
