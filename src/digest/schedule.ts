// Digest schedules: parsing what a user typed, and the instants a cron expression fires at in a timezone.
//
// Pure (no I/O, no clock). The cron grammar and its field semantics are node-cron's (its parser expands every field;
// day-of-month and day-of-week must BOTH match, as in node-cron's own matcher — not Vixie cron's "either").
//
// Local time → instant, around DST changes (the rule Temporal calls "compatible", the one JS Date uses too):
// - a local time that happens twice (fall-back, e.g. 01:30 in New York on the first Sunday of November) fires once,
//   at the earlier of the two instants;
// - a local time that does not exist (spring-forward, e.g. 02:30 in New York, 01:30 in London) fires at the instant
//   the clock would show had it not jumped: shifted forward by the gap (02:30 EST → 03:30 EDT), so a daily digest
//   is never silently skipped on the day the clocks change.
// Slots are whole minutes; two local times landing on the same instant are one slot.
import cron from 'node-cron';

export type ParsedSchedule = { cron: string; label: string } | { error: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** how far back lastFire looks (a schedule must fire at least once in this window to count) */
export const LAST_FIRE_WINDOW_DAYS = 400;
/** how far ahead nextFire looks: the 28-year cycle after which weekdays and leap days repeat */
const NEXT_FIRE_WINDOW_DAYS = 366 * 28 + 7;

const KEYWORDS: Record<string, string> = {
  weekly: '0 9 * * 1',
  daily: '0 9 * * *',
  hourly: '0 * * * *',
};
const NICKNAMES: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

export const SCHEDULE_EXAMPLE = '`30 8 * * 1-5` = 08:30 on weekdays';
const HELP = `Use \`daily\` (09:00), \`weekly\` (Monday 09:00), \`hourly\` or a cron expression with 5 fields ` +
  `(minute hour day-of-month month day-of-week), e.g. ${SCHEDULE_EXAMPLE}.`;

/**
 * What a user typed for a schedule → a 5-field cron and the label to show, or an error that says how to write one.
 * undefined/"" → weekly (Monday 09:00).
 */
export function parseSchedule(text: string | undefined): ParsedSchedule {
  const raw = (text ?? '').trim().replace(/\s+/g, ' ');
  if (!raw) return { cron: KEYWORDS.weekly, label: 'weekly' };
  const lower = raw.toLowerCase();
  if (KEYWORDS[lower]) return { cron: KEYWORDS[lower], label: lower };
  const shown = raw.length > 60 ? `${raw.slice(0, 59)}…` : raw;
  let expr = raw;
  if (raw.startsWith('@')) {
    if (!NICKNAMES[lower]) return { error: `\`${shown}\` is not a schedule I understand. ${HELP}` };
    expr = NICKNAMES[lower];
  }
  const fields = expr.split(' ');
  if (fields.length === 6) {
    return { error: `\`${shown}\` has 6 fields; digests are scheduled to the minute, so leave out the seconds field ` +
      `(5 fields: minute hour day-of-month month day-of-week), e.g. ${SCHEDULE_EXAMPLE}.` };
  }
  if (fields.length !== 5) {
    return { error: `\`${shown}\` is not a schedule I understand: a cron expression has 5 fields, this has ${fields.length}. ${HELP}` };
  }
  let detail: string | undefined;
  try {
    const v = cron.validateDetailed(expr);
    if (!v.valid) detail = v.errors[0]?.message ?? 'invalid';
  } catch (e) {
    detail = e instanceof Error ? e.message : String(e);
  }
  if (detail) return { error: `\`${shown}\` is not a valid cron expression (${detail}). ${HELP}` };
  // node-cron accepts a few that can never, or almost never, fire (the 30th of February on a Monday, …).
  try {
    const from = Date.UTC(2026, 0, 1);
    const first = nextFire(expr, 'UTC', new Date(from));
    const second = nextFire(expr, 'UTC', first);
    if (second.getTime() - first.getTime() > (LAST_FIRE_WINDOW_DAYS - 10) * DAY) {
      return { error: `\`${shown}\` fires less than once a year; a digest needs a schedule that fires at least yearly. ${HELP}` };
    }
  } catch {
    return { error: `\`${shown}\` never fires. ${HELP}` };
  }
  return { cron: expr, label: raw };
}

/** True for an IANA timezone name the runtime knows ("Europe/London", "UTC", …). */
export function validTimezone(tz: string): boolean {
  if (typeof tz !== 'string' || !tz.trim() || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The canonical spelling of a valid timezone ("europe/london" → "Europe/London"). */
export function canonicalTimezone(tz: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
}

// ---- compiled cron ------------------------------------------------------------------------------------------------

type DayToken = number | string;
interface Compiled {
  /** minutes of the day (hour*60+minute) the cron fires at, ascending */
  times: number[];
  months: boolean[];
  dom: DayToken[];
  dow: DayToken[];
  domAll: boolean;
  dowAll: boolean;
}

const compiledCache = new Map<string, Compiled>();

function compile(expr: string): Compiled {
  const hit = compiledCache.get(expr);
  if (hit) return hit;
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) throw new RangeError(`cron "${expr}" must have 5 fields`);
  const p = cron.parse(expr);
  const times: number[] = [];
  for (const h of [...p.hour].sort((a, b) => a - b)) for (const m of [...p.minute].sort((a, b) => a - b)) times.push(h * 60 + m);
  const months = Array<boolean>(13).fill(false);
  for (const m of p.month) months[m] = true;
  const domAll = p.dayOfMonth.length === 31 && p.dayOfMonth.every((v) => typeof v === 'number');
  const dowAll = p.dayOfWeek.length === 7 && p.dayOfWeek.every((v) => typeof v === 'number');
  const c: Compiled = { times, months, dom: p.dayOfMonth, dow: p.dayOfWeek, domAll, dowAll };
  if (compiledCache.size > 500) compiledCache.clear();
  compiledCache.set(expr, c);
  return c;
}

// Day-of-month / day-of-week tokens, as node-cron reads them (L, L-3, 15W, LW; 5L, 1#2).
const lastDayOfMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function nearestWeekday(y: number, m: number, target: number): number {
  const last = lastDayOfMonth(y, m);
  if (target < 1 || target > last) return -1;
  const wd = new Date(Date.UTC(y, m - 1, target)).getUTCDay();
  if (wd === 6) return target === 1 ? target + 2 : target - 1;
  if (wd === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function domMatches(tokens: DayToken[], y: number, m: number, d: number): boolean {
  for (const v of tokens) {
    if (v === d) return true;
    if (typeof v !== 'string') continue;
    if (v === 'L' && d === lastDayOfMonth(y, m)) return true;
    const w = /^(\d{1,2}|L)W$/.exec(v);
    if (w && nearestWeekday(y, m, w[1] === 'L' ? lastDayOfMonth(y, m) : Number(w[1])) === d) return true;
    const off = /^L-(\d{1,2})$/.exec(v);
    if (off) {
      const target = lastDayOfMonth(y, m) - Number(off[1]);
      if (target >= 1 && target === d) return true;
    }
  }
  return false;
}

function dowMatches(tokens: DayToken[], y: number, m: number, d: number, wd: number): boolean {
  for (const v of tokens) {
    if (v === wd) return true;
    if (typeof v !== 'string') continue;
    const nth = /^([0-7])#([1-5])$/.exec(v);
    if (nth) {
      if (Number(nth[1]) % 7 === wd && Math.floor((d - 1) / 7) + 1 === Number(nth[2])) return true;
      continue;
    }
    const last = /^([0-7])L$/i.exec(v);
    if (last && Number(last[1]) % 7 === wd && d + 7 > lastDayOfMonth(y, m)) return true;
  }
  return false;
}

/** Does the cron fire on this local calendar day (days since 1970-01-01)? */
function dayMatches(c: Compiled, dayNum: number): boolean {
  const date = new Date(dayNum * DAY);
  const y = date.getUTCFullYear(), m = date.getUTCMonth() + 1, d = date.getUTCDate();
  if (!c.months[m]) return false;
  if (!c.domAll && !domMatches(c.dom, y, m, d)) return false;
  if (!c.dowAll && !dowMatches(c.dow, y, m, d, date.getUTCDay())) return false;
  return true;
}

// ---- timezone offsets -----------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** UTC offset (ms, local − UTC) in effect at an instant. */
function offsetAt(tz: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const parts = formatter(tz).formatToParts(new Date(whole));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  let year = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const local = Date.UTC(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - whole;
}

/**
 * The offsets in force around one local day: `before` and `after` a transition at instant `at` (no transition:
 * before === after). The window covers every instant whose local date can be this day.
 */
interface DayOffsets { before: number; after: number; at: number }

const dayCache = new Map<string, DayOffsets>();

function dayOffsets(tz: string, dayNum: number): DayOffsets {
  const key = `${tz}|${dayNum}`;
  const hit = dayCache.get(key);
  if (hit) return hit;
  const start = dayNum * DAY - 15 * HOUR;
  const end = dayNum * DAY + DAY + 15 * HOUR;
  const before = offsetAt(tz, start);
  const after = offsetAt(tz, end);
  let at = end;
  if (before !== after) {
    // binary search, to the second, for the first instant on the new offset
    let lo = start / 1000, hi = end / 1000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(tz, mid * 1000) === before) lo = mid; else hi = mid;
    }
    at = hi * 1000;
  }
  const info = { before, after, at };
  if (dayCache.size > 20_000) dayCache.clear();
  dayCache.set(key, info);
  return info;
}

/** A local wall-clock time (ms, as if UTC) → the instant it names, by the "compatible" rule above. */
function toInstant(localMs: number, o: DayOffsets): number {
  const early = localMs - o.before;
  if (o.before === o.after || early < o.at) return early; // unambiguous, or the earlier of two
  const late = localMs - o.after;
  if (late >= o.at) return late;
  return early; // in the gap: shifted forward by its length
}

function localDay(tz: string, instant: number): number {
  return Math.floor((instant + offsetAt(tz, instant)) / DAY);
}

function checkTz(tz: string): void {
  if (formatters.has(tz)) return;
  if (!validTimezone(tz)) throw new RangeError(`unknown timezone "${tz}"`);
}

/** The first instant the cron fires strictly after `after`, in timezone `tz`. Throws when it never fires. */
export function nextFire(expr: string, tz: string, after: Date): Date {
  const c = compile(expr);
  checkTz(tz);
  const a = after.getTime();
  if (!Number.isFinite(a)) throw new RangeError('nextFire: invalid date');
  const first = localDay(tz, a) - 1;
  let best = Infinity, foundDay = NaN;
  for (let day = first; day <= first + NEXT_FIRE_WINDOW_DAYS; day++) {
    // a DST shift can move a slot across midnight; look one day past the first day that had one
    if (day > foundDay + 1) break;
    if (!dayMatches(c, day)) continue;
    const o = dayOffsets(tz, day);
    const base = day * DAY;
    for (const t of c.times) {
      const inst = toInstant(base + t * MINUTE, o);
      if (inst > a && inst < best) {
        best = inst;
        if (o.before === o.after) break; // ascending on an ordinary day: the first one is the earliest
      }
    }
    if (best !== Infinity && Number.isNaN(foundDay)) foundDay = day;
  }
  if (best === Infinity) throw new RangeError(`cron "${expr}" never fires`);
  return new Date(best);
}

/**
 * The most recent instant ≤ `atOrBefore` the cron fires at in `tz`, looking back at most LAST_FIRE_WINDOW_DAYS;
 * null when it did not fire in that window.
 */
export function lastFire(expr: string, tz: string, atOrBefore: Date): Date | null {
  const c = compile(expr);
  checkTz(tz);
  const a = atOrBefore.getTime();
  if (!Number.isFinite(a)) throw new RangeError('lastFire: invalid date');
  const first = localDay(tz, a) + 1;
  let best = -Infinity, foundDay = NaN;
  for (let day = first; day >= first - LAST_FIRE_WINDOW_DAYS - 1; day--) {
    if (day < foundDay - 1) break;
    if (!dayMatches(c, day)) continue;
    const o = dayOffsets(tz, day);
    const base = day * DAY;
    for (let i = c.times.length - 1; i >= 0; i--) {
      const inst = toInstant(base + c.times[i] * MINUTE, o);
      if (inst <= a && inst > best) {
        best = inst;
        if (o.before === o.after) break; // descending on an ordinary day: the first one is the latest
      }
    }
    if (best !== -Infinity && Number.isNaN(foundDay)) foundDay = day;
  }
  return best === -Infinity ? null : new Date(best);
}

/** "2026-03-08 03:30 EDT"-style local rendering of an instant, for status lines and logs. */
export function formatLocal(d: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
  }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`.trim();
}

/** The local calendar date (YYYY-MM-DD) of an instant in a timezone. */
export function localDate(d: Date, tz: string): string {
  return formatLocal(d, tz).slice(0, 10);
}
