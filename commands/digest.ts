// /digest subscribe|unsubscribe|status|preview — scheduled digests of the landscape in this channel.
import { z } from 'zod';
import type { Status } from '../src/digest/service.ts';
import { cronInWords } from '../src/digest/cron-words.ts';
import { describeChange, mergeOptions } from '../src/digest/resubscribe.ts';
import { answer, errorReply, type Reply } from '../src/reply/reply.ts';
import type { Command, OptionSpec } from './command.ts';

const SUBCOMMANDS = ['subscribe', 'unsubscribe', 'status', 'preview'] as const;

const Input = z.object({
  subcommand: z.enum(SUBCOMMANDS, { message: 'use subscribe, unsubscribe, status or preview' }),
  schedule: z.string().optional(),
  timezone: z.string().optional(),
  model: z.string().optional(),
});
type Input = z.infer<typeof Input>;

const scheduleOpt: OptionSpec = { name: 'schedule', description: 'daily, weekly (Monday 09:00, default) or a cron like "30 8 * * 1-5"', type: 'string' };
const timezoneOpt: OptionSpec = { name: 'timezone', description: 'IANA timezone, e.g. Europe/London (default UTC)', type: 'string' };
const modelOpt: OptionSpec = { name: 'model', description: 'Reference model for the landscape (default llama-3.1-70b)', type: 'string', autocomplete: 'model' };

export function when(d: Date | null, tz: string): string {
  if (!d) return '—';
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZoneName: 'short' }).format(d);
  return `${local} (${d.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
}

/** "weekdays at 08:30 Europe/Paris (`30 8 * * 1-5`)" */
export const scheduleText = (sub: { cron: string; timezone: string }) => `${cronInWords(sub.cron, sub.timezone)} (\`${sub.cron}\`)`;

function statusFields(s: Status, modelName: string) {
  const { sub, next, skipped } = s;
  const fields = [
    { name: 'Schedule', value: scheduleText(sub), inline: false },
    { name: 'Next digest', value: sub.pausedReason ? `paused: ${sub.pausedReason}` : when(next, sub.timezone), inline: false },
    { name: 'Last digest', value: sub.lastPostedAt ? when(new Date(sub.lastPostedAt), sub.timezone) : 'none yet', inline: true },
    { name: 'Model', value: modelName, inline: true },
    { name: 'Posted so far', value: String(sub.postCount), inline: true },
  ];
  // a slot given up for good (its owner kept dying, or the platform kept failing) is said, with the reason
  if (skipped) fields.push({ name: skipped.count > 1 ? `Skipped (${skipped.count}, latest shown)` : 'Skipped', value: `${when(new Date(skipped.slot), sub.timezone)}: ${skipped.reason}`.slice(0, 1000), inline: false });
  return fields;
}

export const digestCommand: Command<Input> & { subcommands: { name: string; description: string; options: OptionSpec[] }[] } = {
  name: 'digest',
  description: 'Scheduled digests of the inference hardware landscape in this channel',
  options: [],
  subcommands: [
    { name: 'subscribe', description: 'Post a digest here on a schedule', options: [scheduleOpt, timezoneOpt, modelOpt] },
    { name: 'unsubscribe', description: 'Stop the digest in this channel', options: [] },
    { name: 'status', description: 'Schedule, next and last digest for this channel', options: [] },
    { name: 'preview', description: 'See the next digest now (only you)', options: [modelOpt] },
  ],
  defaultMemberPermissions: '16', // Manage Channels
  slow: true,
  input: Input,
  async run(o, ctx): Promise<Reply> {
    const modelName = (id: string) => ctx.catalog.modelById.get(id)?.name ?? id;
    const svc = ctx.digest;
    if (!svc) return errorReply('Digests are switched off here: no database is configured.', 'Set MEMWALL_DB (default var/memwall.db) and restart.');
    const ch = ctx.channel ? { platform: ctx.channel.platform, id: ctx.channel.id, workspaceId: ctx.channel.guildId ?? null } : null;
    if (o.subcommand === 'preview') {
      const p = await svc.preview(ch, o.model);
      if (!p.ok) return errorReply(p.error);
      return { ...p.value.reply, private: true, notes: ['Preview — only you can see this; nothing was posted or recorded.', ...p.value.reply.notes] };
    }
    if (!ch) return errorReply('This needs a channel.', 'Run it in the channel that should get the digest.');
    if ((o.subcommand === 'subscribe' || o.subcommand === 'unsubscribe') && ctx.channel?.canManage === false) {
      return errorReply(`You need permission to manage this channel to ${o.subcommand} it.`, ctx.channel.platform === 'slack' ? 'A workspace admin can subscribe it, or change SLACK_SUBSCRIBERS.' : 'Ask someone with Manage Channels.');
    }
    if (o.subcommand === 'subscribe') {
      if ((await ctx.channel?.botInChannel?.()) === false) {
        return errorReply('I am not a member of this channel, so I could not post a digest here.', 'Invite me first (`/invite @memwall` or the channel’s Integrations tab), then run `/digest subscribe` again.');
      }
      const before = (await svc.status(ch))?.sub ?? null;
      const r = await svc.subscribe(ch, mergeOptions(before, o));
      if (!r.ok) return errorReply(r.error, r.hint);
      const sub = r.value.sub;
      const change = describeChange(before, sub, o, ctx.catalog);
      return answer(before ? 'Digest updated' : 'Digest subscribed', `This channel will get the landscape digest **${cronInWords(sub.cron, sub.timezone)}**; the next one is ${when(r.value.next, sub.timezone)}.${change ? ` Changed ${change}.` : ''}`, {
        fields: statusFields(r.value, modelName(sub.model)), notes: ['Use `/digest preview` to see one now, `/digest unsubscribe` to stop; `/digest subscribe` again changes only what you give it.'],
      });
    }
    if (o.subcommand === 'unsubscribe') {
      return (await svc.unsubscribe(ch))
        ? answer('Digest stopped', 'This channel will get no more digests.')
        : errorReply('This channel has no digest subscription.', 'Subscribe with `/digest subscribe weekly`.');
    }
    const s = await svc.status(ch);
    if (!s) return answer('No digest here', 'This channel is not subscribed. Try `/digest subscribe weekly Europe/London`.', { private: true });
    return answer('Digest status', s.sub.pausedReason ? `Paused: ${s.sub.pausedReason}` : `Next digest ${when(s.next, s.sub.timezone)}.`, { fields: statusFields(s, modelName(s.sub.model)), private: true });
  },
};
