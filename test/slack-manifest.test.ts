// The Slack app manifest is generated from COMMANDS, and `npm run slack-manifest` prints it.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Command } from '../commands/command.ts';
import { COMMANDS } from '../commands/index.ts';
import { eventsUrl, slackManifest } from '../src/platforms/slack/manifest.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
type Slash = { command: string; description: string; usage_hint?: string; url?: string; should_escape: boolean };
const slashes = (m: any): Slash[] => m.features.slash_commands;

describe('slackManifest', () => {
  const m = slackManifest({ url: 'https://bot.example.com', bareCommands: true }) as any;

  it('with bareCommands: /memwall and one slash command per command, with descriptions, usage hints and the events URL', () => {
    expect(slashes(m).map((s) => s.command)).toEqual(['/memwall', ...COMMANDS.map((c) => `/${c.name}`)]);
    for (const s of slashes(m)) {
      expect(s.command.length).toBeLessThanOrEqual(32);
      expect(s.description.length).toBeGreaterThan(0);
      expect(s.description.length).toBeLessThanOrEqual(2000);
      expect((s.usage_hint ?? '').length).toBeLessThanOrEqual(1000);
      expect(s.url).toBe('https://bot.example.com/slack/events');
    }
    const fit = slashes(m).find((s) => s.command === '/fit')!;
    expect(fit.usage_hint).toMatch(/^<model> <chip> \[weights:…\]/);
    expect(slashes(m).find((s) => s.command === '/compare')!.usage_hint).toBe('<a> <b> [prefill|decode|both] [model:…] [fastest|system|fewest]');
  });

  it('asks for exactly the bot scopes it uses, turns interactivity on, and is not Socket Mode by default', () => {
    expect(m.oauth_config.scopes.bot).toEqual(['commands', 'chat:write', 'files:write', 'channels:read', 'groups:read', 'users:read', 'channels:history', 'groups:history']);
    expect(m.settings.interactivity).toEqual({ is_enabled: true, request_url: 'https://bot.example.com/slack/events' });
    expect(m.settings.socket_mode_enabled).toBe(false);
    expect(m.display_information.name.length).toBeLessThanOrEqual(35);
    expect(m.display_information.description.length).toBeLessThanOrEqual(140);
  });

  it('Socket Mode drops the URLs; a new command appears without touching the manifest code; limits are clipped', () => {
    const extra = { name: 'digest', description: 'D'.repeat(2500), options: [], subcommands: [{ name: 'subscribe' }, { name: 'list' }] } as unknown as Command<any>;
    const s = slackManifest({ socketMode: true, commands: [...COMMANDS, extra], bareCommands: true }) as any;
    expect(s.settings.socket_mode_enabled).toBe(true);
    expect(s.settings.interactivity).toEqual({ is_enabled: true });
    const digest = slashes(s).at(-1)!;
    expect(digest.command).toBe('/digest');
    expect(digest.description.length).toBe(2000);
    expect(digest.usage_hint).toBe('subscribe|list …');
    for (const c of slashes(s)) expect(c.url).toBeUndefined();
  });

  it('normalises the host to …/slack/events', () => {
    expect(eventsUrl('https://h.example/')).toBe('https://h.example/slack/events');
    expect(eventsUrl('https://h.example/slack/events')).toBe('https://h.example/slack/events');
  });
});

describe('npm run slack-manifest', () => {
  it('prints the same manifest as JSON', () => {
    const out = execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src/platforms/slack/manifest.ts'), 'https://cli.example.com'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PUBLIC_URL: '' } });
    expect(JSON.parse(out)).toEqual(slackManifest({ url: 'https://cli.example.com' }));
  }, 30_000);
});
