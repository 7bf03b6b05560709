// What the HTTP interactions endpoint and the gateway have in common: reading options, building the Context,
// and deciding how to answer (at once, deferred, with a chart) — written once against a small Responder interface
// that each transport implements (raw webhook HTTP calls, or discord.js interaction methods).
import type { Choice, Context } from '../../../commands/command.ts';
import { findCommand } from '../../../commands/index.ts';
import { renderChart } from '../../charts/render.ts';
import { toDiscord, EPHEMERAL, type DiscordMessage } from '../../reply/discord.ts';
import { errorReply, type Reply } from '../../reply/reply.ts';
import { autocomplete, pressButton, runCommand } from '../dispatch.ts';

/** Discord's option types that carry other options. */
export const SUB_COMMAND = 1;
export const SUB_COMMAND_GROUP = 2;

/** An option as Discord sends it (API JSON; discord.js's `interaction.options.data` has the same shape). */
export interface RawOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: readonly RawOption[];
  focused?: boolean;
}

/**
 * Flatten options into the input a command takes. A subcommand becomes `{ subcommand: name, ...its options }`;
 * a subcommand group adds `group: name` as well.
 */
export function extractOptions(options: readonly RawOption[] | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of options ?? []) {
    if (o.type === SUB_COMMAND_GROUP) Object.assign(out, { group: o.name }, extractOptions(o.options));
    else if (o.type === SUB_COMMAND) Object.assign(out, { subcommand: o.name }, extractOptions(o.options));
    else if (o.value !== undefined && o.value !== null) out[o.name] = o.value;
  }
  return out;
}

/** The option the user is typing into, for autocomplete (searching inside subcommands and groups). */
export function focusedOption(options: readonly RawOption[] | undefined | null): RawOption | undefined {
  for (const o of options ?? []) {
    if (o.focused) return o;
    if (o.options) {
      const inner = focusedOption(o.options);
      if (inner) return inner;
    }
  }
  return undefined;
}

const clip100 = (s: string) => (s.length <= 100 ? s : `${s.slice(0, 99)}…`);

/** Up to 25 autocomplete choices, each within Discord's 100-character name/value limits. */
export function autocompleteChoices(commandName: string, options: readonly RawOption[] | undefined, ctx: Context): { name: string; value: string | number }[] {
  const focused = focusedOption(options);
  if (!focused) return [];
  const partial = focused.value === undefined || focused.value === null ? '' : String(focused.value);
  let choices: Choice[];
  try {
    choices = autocomplete(commandName, focused.name, partial, ctx);
  } catch {
    return [];
  }
  return choices
    .filter((c) => c.value && c.value.length <= 100)
    .slice(0, 25)
    .map((c) => ({ name: clip100(c.name || c.value), value: focused.type === 4 ? Number(c.value) : c.value }))
    .filter((c) => typeof c.value === 'string' || Number.isFinite(c.value));
}

/** MANAGE_CHANNELS (0x10), or ADMINISTRATOR (0x8) which implies it. */
export function canManageChannels(permissions: string | bigint | null | undefined): boolean {
  if (permissions === null || permissions === undefined || permissions === '') return false;
  try {
    const p = BigInt(permissions);
    return (p & 0x10n) !== 0n || (p & 0x8n) !== 0n;
  } catch {
    return false;
  }
}

/** The command Context for an interaction: the catalog from the caller, plus where it was asked. */
export function discordContext(base: Context, where: { channelId?: string | null; guildId?: string | null; permissions?: string | bigint | null }): Context {
  if (!where.channelId) return base;
  return {
    ...base,
    channel: { platform: 'discord', id: where.channelId, ...(where.guildId ? { guildId: where.guildId } : {}), canManage: canManageChannels(where.permissions) },
  };
}

// ---- answering ---------------------------------------------------------------------------------------------------

export const CHART_NAME = 'chart.png';
export interface ChartFile { name: string; data: Buffer; description: string }

/** What a transport must do. The flow functions below decide which, and in what order. */
export interface Responder {
  /** answer now with a new message (callback type 4 / interaction.reply) */
  reply(msg: DiscordMessage): Promise<void>;
  /** acknowledge now, answer later (type 5 / deferReply) */
  defer(ephemeral: boolean): Promise<void>;
  /** replace the message the interaction answered (PATCH …/messages/@original / editReply) */
  editOriginal(msg: DiscordMessage, file?: ChartFile): Promise<void>;
  /** remove the original response (DELETE …/messages/@original / deleteReply) */
  deleteOriginal(): Promise<void>;
  /** a further message (POST /webhooks/{app}/{token} / followUp) */
  followUp(msg: DiscordMessage): Promise<void>;
  /** buttons: replace the message the button is on (type 7 / interaction.update) */
  update(msg: DiscordMessage): Promise<void>;
  /** buttons: acknowledge, edit later (type 6 / deferUpdate) */
  deferUpdate(): Promise<void>;
}

export interface FlowOptions {
  /** how long to wait for an answer before deferring: a complete answer inside it goes out directly (default 1500 ms) */
  answerWithinMs?: number;
  /** the same for commands marked `slow` (default 1000 ms; 0 defers at once) */
  slowAnswerWithinMs?: number;
  /** chart renderer (default src/charts/render.ts); null or a throw means "send without the image" */
  render?: (chart: NonNullable<Reply['chart']>) => Promise<Buffer | null>;
  /** give up on a chart after this long and send the table alone (default 10 s) */
  renderTimeoutMs?: number;
  /** server-side log for failures; never receives tokens or request bodies */
  log?: (line: string) => void;
}

const GENERIC_FAILURE = 'Something went wrong on my side while answering that. It has been logged; please try again.';
const defaultLog = (line: string) => console.error(line);

/** The polite, private "that failed" message: no stack, no detail — those go to the server log. */
export function failureMessage(): DiscordMessage {
  return toDiscord(errorReply(GENERIC_FAILURE));
}

/** Resolve to the value, or to undefined after ms (ms ≤ 0: undefined at once, without waiting a tick). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The chart as a PNG, or null (a failed or slow render degrades to the table, never to an error). */
export async function chartPng(reply: Reply, o: FlowOptions = {}): Promise<ChartFile | null> {
  if (!reply.chart) return null;
  const render = o.render ?? renderChart;
  const chart = reply.chart;
  const png = await within(render(chart).catch((e: unknown) => {
    (o.log ?? defaultLog)(`discord: chart render failed: ${(e as Error)?.message?.split('\n')[0] ?? e}`);
    return null;
  }), o.renderTimeoutMs ?? 10_000);
  if (!png || png.length === 0) return null;
  return { name: CHART_NAME, data: png, description: chart.alt.slice(0, 1024) };
}

/** The message for a reply and its chart (if one rendered). */
export function messageFor(reply: Reply, file?: ChartFile | null): DiscordMessage {
  return toDiscord(reply, file ? { chartName: file.name } : {});
}

/** Tracks what has been sent, so a failure can be answered the right way. */
class Tracked {
  state: 'none' | 'replied' | 'deferred' | 'deferred-update' = 'none';
  constructor(readonly r: Responder) {}
}

async function safely<T>(p: () => Promise<T>, fallback: T, log: (l: string) => void, what: string): Promise<T> {
  try {
    return await p();
  } catch (e) {
    log(`discord: ${what} failed: ${(e as Error)?.stack ?? e}`);
    return fallback;
  }
}

async function failGracefully(t: Tracked, log: (l: string) => void, e: unknown, what: string): Promise<void> {
  log(`discord: ${what} failed: ${(e as Error)?.stack ?? e}`);
  const msg = failureMessage();
  try {
    if (t.state === 'none') await t.r.reply(msg);
    else if (t.state === 'deferred') await t.r.editOriginal(msg);
    else await t.r.followUp(msg);
  } catch (e2) {
    log(`discord: could not report the failure to the user: ${(e2 as Error)?.message ?? e2}`);
  }
}

/**
 * Answer a slash command. A complete answer ready within the window goes out directly (ephemeral when private).
 * A chart means deferring (with the reply's own privacy, known by then) and editing the original with the PNG.
 * An answer not ready in time is deferred publicly; if it then turns out private (an error), the public
 * placeholder is deleted and the answer sent as an ephemeral follow-up, so only the asker sees it.
 */
export async function answerCommand(name: string, options: Record<string, unknown>, ctx: Context, r: Responder, o: FlowOptions = {}): Promise<void> {
  const log = o.log ?? defaultLog;
  const t = new Tracked(r);
  try {
    const slow = findCommand(name)?.slow ?? false;
    const pending = safely(() => runCommand(name, options, ctx), errorReply(GENERIC_FAILURE), log, `/${name}`);
    const quick = await within(pending, slow ? (o.slowAnswerWithinMs ?? 1000) : (o.answerWithinMs ?? 1500));
    if (quick && !quick.chart) {
      t.state = 'replied';
      await r.reply(messageFor(quick));
      return;
    }
    t.state = 'deferred';
    await r.defer(quick ? quick.private : false);
    const reply = quick ?? (await pending);
    if (!quick && reply.private) {
      await r.deleteOriginal().catch((e: unknown) => log(`discord: could not delete the placeholder: ${(e as Error)?.message ?? e}`));
      await r.followUp({ ...messageFor(reply), flags: EPHEMERAL });
      return;
    }
    const file = await chartPng(reply, o);
    await r.editOriginal(messageFor(reply, file), file ?? undefined);
  } catch (e) {
    await failGracefully(t, log, e, `/${name}`);
  }
}

/**
 * Answer a button press. The new view replaces the message (type 7), or, when a chart must be rendered, the press is
 * acknowledged (type 6) and the message edited with the new PNG. A private reply (an expired button) goes to the
 * presser alone and leaves the shared message as it was.
 */
export async function answerButton(customId: string, ctx: Context, r: Responder, o: FlowOptions = {}): Promise<void> {
  const log = o.log ?? defaultLog;
  const t = new Tracked(r);
  try {
    const pending = safely(() => pressButton(customId, ctx), errorReply(GENERIC_FAILURE), log, `button ${customId.split(':')[0]}`);
    const quick = await within(pending, o.answerWithinMs ?? 1500);
    if (quick && quick.private) {
      t.state = 'replied';
      await r.reply({ ...messageFor(quick), flags: EPHEMERAL });
      return;
    }
    if (quick && !quick.chart) {
      t.state = 'replied';
      const { flags: _flags, ...msg } = messageFor(quick);
      await r.update(msg);
      return;
    }
    t.state = 'deferred-update';
    await r.deferUpdate();
    const reply = quick ?? (await pending);
    if (reply.private) {
      await r.followUp({ ...messageFor(reply), flags: EPHEMERAL });
      return;
    }
    const file = await chartPng(reply, o);
    const { flags: _flags, ...msg } = messageFor(reply, file);
    await r.editOriginal(msg, file ?? undefined);
  } catch (e) {
    await failGracefully(t, log, e, 'button');
  }
}
