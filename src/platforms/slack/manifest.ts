// The Slack app manifest, generated from the same command definitions as everything else.
// `npm run slack-manifest [-- https://your.host]` prints it as JSON (paste it into api.slack.com/apps → App Manifest).
import type { Command } from '../../../commands/command.ts';
import { COMMANDS } from '../../../commands/index.ts';
import { NAMESPACE, usageHint } from './parse.ts';

/** where the README and the --help of this script point a person who has not chosen a host yet */
export const PLACEHOLDER_HOST = 'https://YOUR-HOST';
// channels:read / groups:read let /digest subscribe check the bot is in the channel; users:read lets
// SLACK_SUBSCRIBERS=admins check who is an admin.
// *:history: before a digest slot is retried, the channel's recent history is read for the slot's message metadata
export const SLACK_BOT_SCOPES = ['commands', 'chat:write', 'files:write', 'channels:read', 'groups:read', 'users:read', 'channels:history', 'groups:history'] as const;

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** "https://host", "https://host/" or "https://host/slack/events" → "https://host/slack/events" */
export function eventsUrl(url: string = PLACEHOLDER_HOST): string {
  const u = url.trim().replace(/\/+$/, '');
  return u.endsWith('/slack/events') ? u : `${u}/slack/events`;
}

export function slashCommand(cmd: Command<any>, url: string | undefined) {
  const hint = usageHint(cmd);
  return {
    command: cut(`/${cmd.name}`, 32),
    description: cut(cmd.description, 2000),
    ...(hint ? { usage_hint: cut(hint, 1000) } : {}),
    ...(url ? { url } : {}),
    should_escape: false,
  };
}

/** `/memwall <command> …`: the one slash command a workspace needs (bare `/fit` etc. clash with other apps). */
export function namespacedCommand(commands: Command<any>[], url: string | undefined) {
  return {
    command: `/${NAMESPACE}`,
    description: cut(`AI inference hardware: ${commands.map((c) => c.name).join(', ')}. Try /${NAMESPACE} help.`, 2000),
    usage_hint: cut(`${commands.map((c) => c.name).join('|')} …`, 1000),
    ...(url ? { url } : {}),
    should_escape: false,
  };
}

/** `bareCommands`: also register /fit, /compare, … (optional; they share a workspace-wide namespace with other apps). */
export function slackManifest(opts: { url?: string; socketMode?: boolean; name?: string; commands?: Command<any>[]; bareCommands?: boolean } = {}): Record<string, unknown> {
  const socket = opts.socketMode === true;
  const url = socket ? undefined : eventsUrl(opts.url);
  const name = cut(opts.name ?? 'memwall', 35);
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name,
      description: cut('Answers questions about AI inference hardware: fit, speed, bottlenecks, sources.', 140),
      long_description: 'memwall answers questions about AI inference hardware from one chip-modeling core: does a model fit on a chip and on how many, how fast is prefill and decode, which bottleneck sets the number, and the sources behind every input. Try /fit llama-70b cerebras or /compare groq etched decode.',
      background_color: '#1d2b3a',
    },
    features: {
      bot_user: { display_name: name, always_online: false },
      slash_commands: [namespacedCommand(opts.commands ?? COMMANDS, url), ...(opts.bareCommands ? (opts.commands ?? COMMANDS).slice(0, 49).map((c) => slashCommand(c, url)) : [])],
    },
    oauth_config: { scopes: { bot: [...SLACK_BOT_SCOPES] } },
    settings: {
      interactivity: { is_enabled: true, ...(url ? { request_url: url } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: socket,
      token_rotation_enabled: false,
    },
  };
}

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('Usage: npm run slack-manifest [-- <https://your.host>] [--socket] [--bare-commands]\n'
      + 'Prints the Slack app manifest as JSON: one /memwall command; --bare-commands adds /fit, /compare, … too.\n'
      + 'The host may also come from PUBLIC_URL.\n');
    return;
  }
  const url = argv.find((a) => !a.startsWith('--')) ?? process.env.PUBLIC_URL;
  process.stdout.write(`${JSON.stringify(slackManifest({ url, socketMode: argv.includes('--socket'), bareCommands: argv.includes('--bare-commands') }), null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main(process.argv.slice(2));
