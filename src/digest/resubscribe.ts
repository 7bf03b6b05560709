// Subscribing a channel that already has a digest: keep what the person did not mention, and say what changed.
// Used by /digest subscribe and `memwall digest subscribe`; the store only ever sees the merged options.
import type { Catalog } from '../catalog/load.ts';
import { cronInWords } from './cron-words.ts';
import type { Subscription } from './types.ts';

export interface SubscribeOptions { schedule?: string; timezone?: string; model?: string }

const given = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s : undefined);

/** The options to store: what was given, else what the existing subscription has (else the defaults apply). */
export function mergeOptions(existing: Subscription | null | undefined, o: SubscribeOptions): SubscribeOptions {
  return {
    schedule: given(o.schedule) ?? existing?.scheduleLabel,
    timezone: given(o.timezone) ?? existing?.timezone,
    model: given(o.model) ?? existing?.model,
  };
}

/** "schedule: every day at 09:00 → Mondays at 09:00; kept the timezone (Europe/Paris) and the model (Qwen3 …)" */
export function describeChange(before: Subscription | null | undefined, after: Subscription, o: SubscribeOptions, cat: Catalog): string | undefined {
  if (!before) return undefined;
  const modelName = (id: string) => cat.modelById.get(id)?.name ?? id;
  const changed: string[] = [], kept: string[] = [];
  const when = (s: Subscription) => cronInWords(s.cron);
  if (before.cron !== after.cron) changed.push(`schedule: ${when(before)} → ${when(after)}`);
  else kept.push(`the schedule (${when(after)})`);
  if (before.timezone !== after.timezone) changed.push(`timezone: ${before.timezone} → ${after.timezone}`);
  else kept.push(`the timezone (${after.timezone})`);
  if (before.model !== after.model) changed.push(`model: ${modelName(before.model)} → ${modelName(after.model)}`);
  else kept.push(`the model (${modelName(after.model)})`);
  const keptText = kept.length ? `kept ${kept.length > 1 ? `${kept.slice(0, -1).join(', ')} and ${kept[kept.length - 1]}` : kept[0]}` : '';
  if (!changed.length) return `nothing changed; ${keptText}`;
  void o;
  return `${changed.join('; ')}${keptText ? `; ${keptText}` : ''}`;
}
