// Slash-command definitions from COMMANDS, `npm run deploy-commands` against a loopback fake, and the option/context
// helpers the HTTP endpoint and the gateway share.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Command } from '../commands/command.ts';
import { COMMANDS } from '../commands/index.ts';
import { commandDefinition, discordCommandDefinitions } from '../src/platforms/discord/definitions.ts';
import { deployCommands } from '../src/platforms/discord/deploy-commands.ts';
import { canManageChannels, discordContext, extractOptions, focusedOption } from '../src/platforms/discord/shared.ts';
import { answer } from '../src/reply/reply.ts';
import { catalog } from '../src/catalog/load.ts';
import { startFakeDiscord, type FakeDiscord } from './helpers/discord-fake.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Discord's rules for one command definition (application-commands.mdx), checked recursively. */
function definitionProblems(def: any): string[] {
  const out: string[] = [];
  const check = (o: any, where: string, depth: number) => {
    if (!NAME.test(o.name) || o.name !== o.name.toLowerCase()) out.push(`${where}: bad name ${o.name}`);
    if (!o.description || o.description.length > 100) out.push(`${where}: description length ${o.description?.length}`);
    const opts: any[] = o.options ?? [];
    if (opts.length > 25) out.push(`${where}: ${opts.length} options > 25`);
    let optionalSeen = false;
    for (const x of opts) {
      const at = `${where}.${x.name}`;
      if (x.type === 1 || x.type === 2) { if (depth > 1) out.push(`${at}: nested too deep`); check(x, at, depth + 1); continue; }
      if (![3, 4].includes(x.type)) out.push(`${at}: type ${x.type}`);
      if (x.required && optionalSeen) out.push(`${at}: required after optional`);
      if (!x.required) optionalSeen = true;
      if (x.choices && x.choices.length > 25) out.push(`${at}: ${x.choices.length} choices > 25`);
      if (x.choices && x.autocomplete) out.push(`${at}: choices with autocomplete`);
      for (const c of x.choices ?? []) if (c.name.length > 100 || String(c.value).length > 100) out.push(`${at}: choice too long`);
      check({ ...x, options: undefined }, at, depth + 1);
    }
  };
  check(def, `/${def.name}`, 0);
  return out;
}

describe('discordCommandDefinitions', () => {
  const defs = discordCommandDefinitions();

  it('one CHAT_INPUT definition per command, each within Discord’s rules', () => {
    expect(defs.map((d) => d.name)).toEqual(COMMANDS.map((c) => c.name));
    for (const d of defs) {
      expect(d.type).toBe(1);
      expect(d.dm_permission).toBe(false);
      expect(d.contexts).toEqual([0]);
      expect(definitionProblems(d)).toEqual([]);
    }
    expect(JSON.stringify(defs).length).toBeLessThan(8000 * defs.length);
  });

  it('maps option types, required, choices and autocomplete from the command specs', () => {
    const fit = defs.find((d) => d.name === 'fit')!;
    expect(fit.options.find((o) => o.name === 'model')).toMatchObject({ type: 3, required: true, autocomplete: true });
    expect(fit.options.find((o) => o.name === 'chip')).toMatchObject({ type: 3, required: true, autocomplete: true });
    expect(fit.options.find((o) => o.name === 'batch')).toMatchObject({ type: 4, required: false });
    const weights = fit.options.find((o) => o.name === 'weights')!;
    expect(weights.choices?.length).toBeGreaterThan(3);
    expect(weights.autocomplete).toBeUndefined();
    const compare = defs.find((d) => d.name === 'compare')!;
    expect(compare.options.find((o) => o.name === 'phase')!.choices!.map((c) => c.value)).toEqual(['prefill', 'decode', 'both']);
    expect(defs.find((d) => d.name === 'chip')!.options[0]).toMatchObject({ name: 'name', autocomplete: true, required: false });
    expect(fit.default_member_permissions).toBeUndefined();
  });

  const base = { input: z.object({}), run: () => answer('t', 's') };

  it('default_member_permissions as a string, descriptions cut to 100, required options first, 26+ choices → autocomplete', () => {
    const cmd: Command<any> = {
      ...base, name: 'Digestish', description: 'd'.repeat(150), defaultMemberPermissions: '16',
      options: [
        { name: 'when', description: 'optional first', type: 'string', choices: Array.from({ length: 30 }, (_, i) => ({ name: `c${i}`, value: `c${i}` })) },
        { name: 'channel', description: 'required second', type: 'string', required: true },
      ],
    };
    const d = commandDefinition(cmd);
    expect(d.name).toBe('digestish');
    expect(d.description.length).toBeLessThanOrEqual(100);
    expect(d.default_member_permissions).toBe('16');
    expect(d.options.map((o) => o.name)).toEqual(['channel', 'when']);
    expect(d.options[1]).toMatchObject({ autocomplete: true });
    expect(d.options[1].choices).toBeUndefined();
    expect(definitionProblems(d)).toEqual([]);
  });

  it('a command with subcommands emits type-1 subcommand options (as /digest will)', () => {
    const digest = {
      ...base, name: 'digest', description: 'Scheduled landscape digests for this channel', options: [], defaultMemberPermissions: '16',
      subcommands: [
        { name: 'subscribe', description: 'Post a digest here on a schedule', options: [
          { name: 'cron', description: 'When, e.g. 0 9 * * MON', type: 'string', required: true },
          { name: 'model', description: 'Reference model', type: 'string', autocomplete: 'model' },
        ] },
        { name: 'list', description: 'Subscriptions in this server', options: [] },
        { name: 'preview', description: 'Show the next digest now', options: [] },
      ],
    } as Command<any> & { subcommands: unknown[] };
    const d = commandDefinition(digest);
    expect(d.options.map((o) => [o.type, o.name])).toEqual([[1, 'subscribe'], [1, 'list'], [1, 'preview']]);
    expect(d.options[0].options).toEqual([
      { type: 3, name: 'cron', description: 'When, e.g. 0 9 * * MON', required: true },
      { type: 3, name: 'model', description: 'Reference model', required: false, autocomplete: true },
    ]);
    expect(d.options[1].options).toEqual([]);
    expect(d.default_member_permissions).toBe('16');
    expect(definitionProblems(d)).toEqual([]);
  });
});

describe('deploy-commands', () => {
  let fake: FakeDiscord;
  beforeAll(async () => { fake = await startFakeDiscord(); });
  afterAll(async () => { await fake.close(); });

  it('PUTs the definitions to the guild route when DISCORD_GUILD_ID is set, with the bot token', async () => {
    const r = await deployCommands({ DISCORD_TOKEN: 'tok-SECRET', DISCORD_APPLICATION_ID: 'app-9', DISCORD_GUILD_ID: 'guild-7', DISCORD_API_BASE: fake.apiBase });
    expect(r.ok).toBe(true);
    expect(r.scope).toBe('guild');
    const put = fake.requests.at(-1)!;
    expect(put.method).toBe('PUT');
    expect(put.path).toBe('/api/v10/applications/app-9/guilds/guild-7/commands');
    expect(put.headers.authorization).toBe('Bot tok-SECRET');
    expect(put.json).toEqual(discordCommandDefinitions());
    expect(r.message).toMatch(new RegExp(`Registered ${COMMANDS.length} slash commands guild guild-7`));
    expect(r.message).not.toContain('SECRET');
  });

  it('uses the global route without DISCORD_GUILD_ID', async () => {
    const r = await deployCommands({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: 'app-9', DISCORD_API_BASE: `${fake.apiBase}/` });
    expect(r.ok).toBe(true);
    expect(fake.requests.at(-1)!.path).toBe('/api/v10/applications/app-9/commands');
  });

  it('reports Discord’s error without the token', async () => {
    fake.failNext('/commands', 400, { message: 'Invalid Form Body', code: 50035, errors: { 0: { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME' }] } } } });
    const r = await deployCommands({ DISCORD_TOKEN: 'tok-SECRET', DISCORD_APPLICATION_ID: 'app-9', DISCORD_API_BASE: fake.apiBase });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/HTTP 400.*Invalid Form Body.*APPLICATION_COMMAND_INVALID_NAME/);
    expect(r.message).not.toContain('SECRET');
  });

  for (const missing of ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID']) {
    it(`a missing ${missing} is one clear line naming it`, async () => {
      const env: Record<string, string> = { DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: 'a', DISCORD_API_BASE: fake.apiBase };
      delete env[missing];
      const before = fake.requests.length;
      const r = await deployCommands(env);
      expect(r.ok).toBe(false);
      expect(r.message).toContain(missing);
      expect(r.message.split('\n')).toHaveLength(1);
      expect(fake.requests.length).toBe(before);
    });
  }

  /** Run the script the way `npm run deploy-commands` does (tsx), in an empty directory so no .env is picked up. */
  const run = (env: Record<string, string>) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const keep = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src/platforms/discord/deploy-commands.ts')], {
      cwd: mkdtempSync(join(tmpdir(), 'memwall-deploy-')), env: { ...keep, ...env },
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

  it('as a script: a missing setting exits 1 with one line naming it', async () => {
    const r = await run({ DISCORD_APPLICATION_ID: 'app-9' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('DISCORD_TOKEN is not set')]);
    expect(r.stdout).toBe('');
  }, 30_000);

  it('as a script: registers against DISCORD_API_BASE and exits 0', async () => {
    const r = await run({ DISCORD_TOKEN: 'script-tok', DISCORD_APPLICATION_ID: 'app-s', DISCORD_GUILD_ID: 'g-s', DISCORD_API_BASE: fake.apiBase });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Registered ${COMMANDS.length} slash commands`));
    const put = fake.requests.find((x) => x.path === '/api/v10/applications/app-s/guilds/g-s/commands');
    expect(put?.headers.authorization).toBe('Bot script-tok');
    expect(put?.json).toEqual(discordCommandDefinitions());
  }, 30_000);
});

describe('shared option and context helpers', () => {
  it('flattens plain options', () => {
    expect(extractOptions([{ name: 'model', type: 3, value: 'llama-70b' }, { name: 'chips', type: 4, value: 4 }])).toEqual({ model: 'llama-70b', chips: 4 });
    expect(extractOptions(undefined)).toEqual({});
  });

  it('passes a subcommand as { subcommand, ...options } and a group as { group, subcommand, ... }', () => {
    expect(extractOptions([{ name: 'subscribe', type: 1, options: [{ name: 'cron', type: 3, value: '0 9 * * 1' }] }]))
      .toEqual({ subcommand: 'subscribe', cron: '0 9 * * 1' });
    expect(extractOptions([{ name: 'admin', type: 2, options: [{ name: 'remove', type: 1, options: [{ name: 'id', type: 4, value: 3 }] }] }]))
      .toEqual({ group: 'admin', subcommand: 'remove', id: 3 });
  });

  it('finds the focused option, also inside a subcommand', () => {
    expect(focusedOption([{ name: 'a', type: 3, value: 'x' }, { name: 'b', type: 3, value: 'gro', focused: true }])?.name).toBe('b');
    expect(focusedOption([{ name: 'subscribe', type: 1, options: [{ name: 'model', type: 3, value: 'lla', focused: true }] }])?.value).toBe('lla');
    expect(focusedOption([{ name: 'a', type: 3, value: 'x' }])).toBeUndefined();
  });

  it('canManage is MANAGE_CHANNELS (0x10) or ADMINISTRATOR, from the permission string', () => {
    expect(canManageChannels('16')).toBe(true);
    expect(canManageChannels('8')).toBe(true);
    expect(canManageChannels(String(0x400n | 0x800n))).toBe(false);
    expect(canManageChannels('2251799813685247')).toBe(true);
    expect(canManageChannels('0')).toBe(false);
    expect(canManageChannels(undefined)).toBe(false);
    expect(canManageChannels('not a number')).toBe(false);
  });

  it('builds Context.channel for discord', () => {
    const base = { catalog: catalog() };
    const ctx = discordContext(base, { channelId: 'c1', guildId: 'g1', permissions: '16' });
    expect(ctx.channel).toEqual({ platform: 'discord', id: 'c1', guildId: 'g1', canManage: true });
    expect(ctx.catalog).toBe(base.catalog);
    expect(discordContext(base, { channelId: 'c1', permissions: null }).channel).toEqual({ platform: 'discord', id: 'c1', canManage: false });
  });
});
