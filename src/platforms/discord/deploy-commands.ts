// `npm run deploy-commands`: register every slash command with Discord in one bulk overwrite.
// Guild route when DISCORD_GUILD_ID is set (instant, for development), else the global route.
// `--dry-run` prints the JSON it would send (no token needed, nothing sent).
import { pathToFileURL } from 'node:url';
import { DEFAULT_API_BASE } from './interactions.ts';
import { discordCommandDefinitions, type DiscordCommandDefinition } from './definitions.ts';

export interface DeployResult {
  ok: boolean;
  /** one line for a person: what happened, or what is missing/wrong */
  message: string;
  scope?: 'guild' | 'global';
  url?: string;
  status?: number;
}

const REQUIRED: [string, string][] = [
  ['DISCORD_TOKEN', 'the bot token (Developer Portal → Bot)'],
  ['DISCORD_APPLICATION_ID', 'the application id (Developer Portal → General Information)'],
];

/** PUT the command definitions. Never throws; never puts the token in its message. */
export async function deployCommands(
  env: Record<string, string | undefined> = process.env,
  definitions: DiscordCommandDefinition[] = discordCommandDefinitions(),
): Promise<DeployResult> {
  for (const [key, what] of REQUIRED) {
    if (!env[key]?.trim()) return { ok: false, message: `deploy-commands: ${key} is not set (${what}).` };
  }
  const appId = env.DISCORD_APPLICATION_ID!.trim();
  const guildId = env.DISCORD_GUILD_ID?.trim();
  const base = (env.DISCORD_API_BASE?.trim() || DEFAULT_API_BASE).replace(/\/+$/, '');
  const scope = guildId ? 'guild' : 'global';
  const url = guildId
    ? `${base}/applications/${encodeURIComponent(appId)}/guilds/${encodeURIComponent(guildId)}/commands`
    : `${base}/applications/${encodeURIComponent(appId)}/commands`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'PUT',
      headers: {
        authorization: `Bot ${env.DISCORD_TOKEN!.trim()}`,
        'content-type': 'application/json',
        'user-agent': 'DiscordBot (https://github.com/memwall/memwall, 0.1.0)',
      },
      body: JSON.stringify(definitions),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    return { ok: false, scope, url, message: `deploy-commands: could not reach ${base}: ${(e as Error).message}` };
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    let detail = text.slice(0, 500);
    try {
      const j = JSON.parse(text) as { message?: string; errors?: unknown };
      detail = [j.message, j.errors ? JSON.stringify(j.errors).slice(0, 400) : ''].filter(Boolean).join(' ');
    } catch { /* not JSON */ }
    const hint = res.status === 401 ? ' (check DISCORD_TOKEN)' : res.status === 403 || res.status === 404 ? ' (check DISCORD_APPLICATION_ID and DISCORD_GUILD_ID, and that the bot is in the guild)' : '';
    return { ok: false, scope, url, status: res.status, message: `deploy-commands: Discord answered HTTP ${res.status}${hint}: ${detail}` };
  }
  let count = definitions.length;
  try { const j = JSON.parse(text); if (Array.isArray(j)) count = j.length; } catch { /* keep ours */ }
  const where = guildId ? `guild ${guildId} (available now)` : 'globally (may take a while to appear everywhere)';
  return { ok: true, scope, url, status: res.status, message: `Registered ${count} slash commands ${where}: ${definitions.map((d) => `/${d.name}`).join(' ')}` };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  try {
    // a .env in the working directory, as for `npm start`; settings already in the environment win
    const dotenv = await import('dotenv');
    dotenv.config({ quiet: true });
  } catch { /* dotenv is optional here */ }
  if (process.argv.includes('--dry-run')) {
    // the JSON body as it would be sent, on stdout; where it would go, on stderr; no token needed, nothing sent
    const defs = discordCommandDefinitions();
    const base = (process.env.DISCORD_API_BASE?.trim() || DEFAULT_API_BASE).replace(/\/+$/, '');
    const app = process.env.DISCORD_APPLICATION_ID?.trim() || '<DISCORD_APPLICATION_ID>';
    const guild = process.env.DISCORD_GUILD_ID?.trim();
    console.error(`dry run: would PUT ${defs.length} commands to ${base}/applications/${app}${guild ? `/guilds/${guild}` : ''}/commands`);
    console.log(JSON.stringify(defs, null, 2));
    process.exit(0);
  }
  const r = await deployCommands(process.env);
  (r.ok ? console.log : console.error)(r.message);
  process.exit(r.ok ? 0 : 1);
}
