import { describe, expect, it } from 'vitest';
import type { Context } from '../commands/command.ts';
import { catalog } from '../src/catalog/load.ts';
import { DigestService } from '../src/digest/service.ts';
import { openStore } from '../src/digest/store.ts';
import { discordCommandDefinitions } from '../src/platforms/discord/definitions.ts';
import { autocomplete, runCommand } from '../src/platforms/dispatch.ts';

const cat = catalog();
async function ctx(channel: Context['channel'], postable: ('local' | 'discord' | 'slack')[] = ['local', 'discord', 'slack']) {
  const store = await openStore(':memory:');
  return { store, ctx: { catalog: cat, channel, digest: new DigestService(store, cat, () => new Date('2026-11-26T10:00:00Z'), new Set(postable)) } as Context };
}

describe('/digest permissions and platforms', () => {
  it('on Discord the command asks for Manage Channels, and a member without it is refused', async () => {
    const def = discordCommandDefinitions().find((d) => d.name === 'digest')!;
    expect(def.default_member_permissions).toBe('16');
    const { ctx: c, store } = await ctx({ platform: 'discord', id: '42', guildId: '7', canManage: false });
    const r = await runCommand('digest', { subcommand: 'subscribe' }, c);
    expect(r.kind).toBe('error');
    expect(r.summary).toMatch(/permission to manage this channel/);
    expect(await store.list()).toHaveLength(0);
  });

  it('on Slack the bot must be in the channel', async () => {
    const { ctx: c, store } = await ctx({ platform: 'slack', id: 'C1', guildId: 'T1', botInChannel: async () => false });
    const r = await runCommand('digest', { subcommand: 'subscribe', schedule: 'weekly' }, c);
    expect(r.summary).toMatch(/not a member of this channel/);
    expect(await store.list()).toHaveLength(0);
    const ok = await runCommand('digest', { subcommand: 'subscribe', schedule: 'weekly' }, { ...c, channel: { ...c.channel!, botInChannel: async () => true } });
    expect(ok.kind).toBe('answer');
    expect((await store.list())[0]).toMatchObject({ platform: 'slack', channelId: 'C1', workspaceId: 'T1', cron: '0 9 * * 1', timezone: 'UTC', model: 'llama-3.1-70b' });
  });

  it('a Discord subscription is refused when this memwall has no bot token to post with', async () => {
    const { ctx: c } = await ctx({ platform: 'discord', id: '42', guildId: '7', canManage: true }, ['local']);
    const r = await runCommand('digest', { subcommand: 'subscribe' }, c);
    expect(r.summary).toMatch(/cannot post scheduled digests/);
  });

  it('without a database the command says so instead of failing', async () => {
    const r = await runCommand('digest', { subcommand: 'status' }, { catalog: cat, channel: { platform: 'local', id: 'x' } });
    expect(r.kind).toBe('error');
    expect(r.summary).toMatch(/no database is configured/);
  });

  it('subcommand options autocomplete (the model of /digest subscribe)', () => {
    const choices = autocomplete('digest', 'model', 'deeps', { catalog: cat });
    expect(choices[0].value).toMatch(/deepseek/);
  });
});
