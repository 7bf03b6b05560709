// Discord over the gateway: a discord.js Client with the Guilds intent only. The answering logic is the same as the
// HTTP endpoint's (shared.ts); this file only maps the Responder onto discord.js interaction methods.
import {
  AttachmentBuilder, Client, Events, GatewayIntentBits, MessageFlags,
  type AutocompleteInteraction, type ButtonInteraction, type ChatInputCommandInteraction, type Interaction,
  type InteractionEditReplyOptions, type InteractionReplyOptions, type InteractionUpdateOptions,
} from 'discord.js';
import type { Context } from '../../../commands/command.ts';
import type { DiscordMessage } from '../../reply/discord.ts';
import {
  answerButton, answerCommand, autocompleteChoices, discordContext, extractOptions,
  type ChartFile, type FlowOptions, type RawOption, type Responder,
} from './shared.ts';

type Body = Pick<InteractionReplyOptions, 'embeds' | 'components'>;

/** Our API-JSON message as discord.js options (discord.js accepts raw API embeds and component rows). */
function body(msg: DiscordMessage): Body {
  return { embeds: msg.embeds, components: msg.components } as unknown as Body;
}

function files(file?: ChartFile): AttachmentBuilder[] {
  return file ? [new AttachmentBuilder(file.data, { name: file.name, description: file.description })] : [];
}

/** The Responder for a discord.js command or button interaction. */
export function gatewayResponder(i: ChatInputCommandInteraction | ButtonInteraction): Responder {
  const none = { parse: [] as never[] };
  return {
    async reply(msg) {
      const opts: InteractionReplyOptions = { ...body(msg), allowedMentions: none };
      if (msg.flags) opts.flags = MessageFlags.Ephemeral;
      await i.reply(opts);
    },
    async defer(ephemeral) {
      await i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    },
    async editOriginal(msg, file) {
      // `attachments: []` drops a previous chart; `files` adds the new one
      const opts: InteractionEditReplyOptions = { ...body(msg), files: files(file), attachments: [], allowedMentions: none };
      await i.editReply(opts);
    },
    async deleteOriginal() {
      await i.deleteReply();
    },
    async followUp(msg) {
      const opts: InteractionReplyOptions = { ...body(msg), allowedMentions: none };
      if (msg.flags) opts.flags = MessageFlags.Ephemeral;
      await i.followUp(opts);
    },
    async update(msg) {
      if (!i.isButton()) throw new Error('update() is only for component interactions');
      const opts: InteractionUpdateOptions = { ...body(msg), attachments: [], allowedMentions: none };
      await i.update(opts);
    },
    async deferUpdate() {
      if (!i.isButton()) throw new Error('deferUpdate() is only for component interactions');
      await i.deferUpdate();
    },
  };
}

function contextFor(i: Interaction, context: () => Context): Context {
  return discordContext(context(), { channelId: i.channelId, guildId: i.guildId, permissions: i.memberPermissions?.bitfield ?? null });
}

/** Route one interaction. Exported for the gateway; every failure is logged and answered politely by the flow. */
export async function handleGatewayInteraction(i: Interaction, context: () => Context, flow: FlowOptions): Promise<void> {
  const log = flow.log ?? ((l: string) => console.error(l));
  try {
    if (i.isChatInputCommand()) {
      await answerCommand(i.commandName, extractOptions(i.options.data as readonly RawOption[]), contextFor(i, context), gatewayResponder(i), flow);
    } else if (i.isAutocomplete()) {
      const a = i as AutocompleteInteraction;
      let choices: { name: string; value: string | number }[] = [];
      try { choices = autocompleteChoices(a.commandName, a.options.data as readonly RawOption[], contextFor(a, context)); } catch (e) { log(`discord: autocomplete failed: ${(e as Error)?.message ?? e}`); }
      await a.respond(choices);
    } else if (i.isButton()) {
      await answerButton(i.customId, contextFor(i, context), gatewayResponder(i), flow);
    }
  } catch (e) {
    log(`discord: gateway interaction failed: ${(e as Error)?.stack ?? e}`);
  }
}

/** Route every interaction the client receives through the shared flow. */
export function attachInteractionHandler(client: Client, context: () => Context, flow: FlowOptions = {}): void {
  const log = flow.log ?? ((l: string) => console.error(l));
  client.on(Events.InteractionCreate, (i) => { void handleGatewayInteraction(i, context, { ...flow, log }); });
}

/** discord.js wants the API root and version apart: ".../api/v10" → { api: ".../api", version: "10" }. */
function restOptions(apiBase: string | undefined): { api: string; version: string } | undefined {
  if (!apiBase) return undefined;
  const m = /^(.*)\/v(\d+)\/?$/.exec(apiBase);
  return m ? { api: m[1], version: m[2] } : { api: apiBase.replace(/\/+$/, ''), version: '10' };
}

export interface GatewayOptions extends FlowOptions {
  token: string;
  context: () => Context;
  /** REST base including the version, default https://discord.com/api/v10 (tests pass a loopback fake) */
  apiBase?: string;
}

/**
 * Log in with the bot token and answer interactions until stop(). Resolves once the client is ready.
 * `shards: 'auto'` asks Discord how many shards the bot needs (GET /gateway/bot) and opens that many.
 */
export async function startDiscordGateway(opts: GatewayOptions): Promise<{ stop(): Promise<void>; ready(): boolean }> {
  const { token, context, apiBase, ...flow } = opts;
  const log = flow.log ?? ((l: string) => console.error(l));
  const rest = restOptions(apiBase);
  const client = new Client({ intents: [GatewayIntentBits.Guilds], shards: 'auto', ...(rest ? { rest } : {}) });
  attachInteractionHandler(client, context, { ...flow, log });
  client.on(Events.Error, (e) => log(`discord: client error: ${e.message}`));
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(token);
    await ready;
  } catch (e) {
    await client.destroy().catch(() => undefined);
    throw e;
  }
  return {
    ready: () => client.isReady(),
    async stop() {
      client.removeAllListeners();
      await client.destroy();
    },
  };
}
