// `memwall digest …` for operators and scripts: subscribe, list, unsubscribe and preview without a chat platform.
import { writeFileSync } from 'node:fs';
import type { Catalog } from '../../catalog/load.ts';
import { renderChart } from '../../charts/render.ts';
import { DigestService } from '../../digest/service.ts';
import { isPostgresUrl, openStore, redactUrl, StoreError } from '../../digest/store.ts';
import type { Platform } from '../../digest/types.ts';
import { renderText } from '../../reply/text.ts';
import { writeProblem } from './files.ts';
import { cronInWords } from '../../digest/cron-words.ts';
import { describeChange, mergeOptions } from '../../digest/resubscribe.ts';

export interface CliOut { code: number; stdout: string; stderr: string }

const PLATFORMS: Platform[] = ['local', 'discord', 'slack'];
const USAGE = `memwall digest subscribe --platform local|discord|slack --channel ID [--workspace ID] [--schedule daily|weekly|CRON] [--timezone TZ] [--model M]
memwall digest list [--json]
memwall digest unsubscribe --platform local|discord|slack --channel ID
memwall digest preview [--model M] [--png FILE]`;

export async function runDigestCli(args: string[], flags: Record<string, string | true>, json: boolean, cat: Catalog, dbPath: string): Promise<CliOut> {
  const [sub] = args;
  const bad = (msg: string): CliOut => ({ code: 2, stdout: '', stderr: `${msg}\n${USAGE}\n` });
  if (!sub || !['subscribe', 'list', 'unsubscribe', 'preview'].includes(sub)) return bad(sub ? `Unknown digest command "${sub}".` : 'Which digest command?');
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);

  if (sub === 'preview' && !flags.channel) {
    // a preview needs no database: build it straight from the catalog
    const svc = new DigestService(null, cat);
    const p = await svc.preview(null, str('model'));
    if (!p.ok) return { code: 2, stdout: '', stderr: `${p.error}\n` };
    let note = '';
    if (flags.png === true) return bad('--png needs a file name, e.g. --png digest.png');
    if (str('png')) {
      const file = str('png')!;
      const png = p.value.reply.chart ? await renderChart(p.value.reply.chart) : null;
      if (png) {
        try { writeFileSync(file, png); } catch (e) { return { code: 2, stdout: '', stderr: `memwall: cannot write the chart to ${file}: ${writeProblem(e)}.\n` }; }
        note = `chart written to ${file}\n`;
      } else note = 'the chart could not be rendered; no PNG written\n';
    }
    return { code: 0, stdout: json ? JSON.stringify(p.value.reply, null, 2) + '\n' : renderText(p.value.reply) + note, stderr: '' };
  }

  let store;
  try {
    store = await openStore(dbPath);
  } catch (e) {
    if (e instanceof StoreError) return { code: 1, stdout: '', stderr: `memwall: ${e.message}\n` };
    throw e;
  }
  try {
    const svc = new DigestService(store, cat);
    if (sub === 'list') {
      const subs = await svc.list();
      if (json) return { code: 0, stdout: JSON.stringify(subs.map(({ lastSnapshot, ...s }) => s), null, 2) + '\n', stderr: '' };
      if (!subs.length) return { code: 0, stdout: `No digest subscriptions in ${isPostgresUrl(dbPath) ? redactUrl(dbPath) : dbPath}.\n`, stderr: '' };
      const lines = await Promise.all(subs.map(async (s) => {
        const st = await svc.status({ platform: s.platform, id: s.channelId });
        return `${s.platform}:${s.channelId}  ${cronInWords(s.cron, s.timezone)} (${s.cron})  model ${s.model}  ${s.pausedReason ? `PAUSED: ${s.pausedReason}` : `next ${st?.next?.toISOString() ?? '—'}`}  posted ${s.postCount}`;
      }));
      return { code: 0, stdout: lines.join('\n') + '\n', stderr: '' };
    }
    const platform = str('platform') as Platform | undefined;
    const channel = str('channel');
    if (!platform || !PLATFORMS.includes(platform)) return bad('--platform must be local, discord or slack.');
    if (!channel) return bad('--channel is required.');
    const ch = { platform, id: channel, workspaceId: str('workspace') ?? null };
    if (sub === 'unsubscribe') {
      return (await svc.unsubscribe(ch))
        ? { code: 0, stdout: `Unsubscribed ${platform}:${channel}.\n`, stderr: '' }
        : { code: 2, stdout: '', stderr: `${platform}:${channel} has no digest subscription.\n` };
    }
    if (sub === 'preview') {
      const p = await svc.preview(ch, str('model'));
      if (!p.ok) return { code: 2, stdout: '', stderr: `${p.error}\n` };
      return { code: 0, stdout: json ? JSON.stringify(p.value.reply, null, 2) + '\n' : renderText(p.value.reply), stderr: '' };
    }
    const asked = { schedule: str('schedule'), timezone: str('timezone'), model: str('model') };
    const before = (await svc.status(ch))?.sub ?? null;
    const r = await svc.subscribe(ch, mergeOptions(before, asked));
    if (!r.ok) return { code: 2, stdout: '', stderr: `${r.error.replace(/`/g, '')}${r.hint ? `\n${r.hint.replace(/`/g, '')}` : ''}\n` };
    const { sub: s, next } = r.value;
    return json
      ? { code: 0, stdout: JSON.stringify({ ...s, lastSnapshot: undefined, next }, null, 2) + '\n', stderr: '' }
      : { code: 0, stdout: `${before ? 'Updated' : 'Subscribed'} ${platform}:${channel}: ${cronInWords(s.cron, s.timezone)} (${s.cron}), model ${s.model}. Next digest ${next?.toISOString() ?? '—'}.${before ? ` Changed ${describeChange(before, s, asked, cat)}.` : ''}\n`, stderr: '' };
  } finally {
    await store.close();
  }
}
