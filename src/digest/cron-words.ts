// A digest schedule in words ("weekdays at 09:00 Europe/Paris"), for /digest answers and `memwall digest list`.
// Pure. Covers the shapes people write; anything else is described as "on the cron schedule" (the cron is always
// shown beside the words).

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const isNum = (f: string) => /^\d+$/.test(f);
const two = (n: number) => String(n).padStart(2, '0');
const and = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** "1-5" → [1..5], "0,6" → [0,6], "7" → [0] (node-cron treats 7 as Sunday); null for steps or names */
function dayList(f: string): number[] | null {
  const out = new Set<number>();
  for (const part of f.split(',')) {
    const m = /^(\d)(?:-(\d))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return null;
    for (let d = a; d <= b; d++) out.add(d % 7);
  }
  return [...out].sort((x, y) => x - y);
}

function days(f: string): string | null {
  if (f === '*') return 'every day';
  const list = dayList(f);
  if (!list) return null;
  const key = list.join(',');
  if (key === '1,2,3,4,5') return 'weekdays';
  if (key === '0,6') return 'weekends';
  if (key === '0,1,2,3,4,5,6') return 'every day';
  return and(list.map((d) => `${DAYS[d]}s`));
}

/** The cron expression (5 fields, node-cron's grammar) in words, optionally followed by the timezone. */
export function cronInWords(cron: string, timezone?: string): string {
  const words = describe(cron.trim().split(/\s+/));
  return timezone ? `${words} ${timezone}` : words;
}

function describe(f: string[]): string {
  if (f.length !== 5) return 'on the cron schedule';
  const [min, hour, dom, month, dow] = f;
  if (dom === '*' && month === '*' && dow === '*') {
    if (min === '*' && hour === '*') return 'every minute';
    const step = /^\*\/(\d+)$/.exec(min);
    if (step && hour === '*') return `every ${step[1]} minutes`;
    if (isNum(min) && hour === '*') return `every hour at :${two(Number(min))}`;
  }
  if (!isNum(min) || !isNum(hour)) return 'on the cron schedule';
  const time = `${two(Number(hour))}:${two(Number(min))}`;
  if (dom === '*' && month === '*') {
    const d = days(dow);
    return d ? `${d} at ${time}` : 'on the cron schedule';
  }
  if (isNum(dom) && dow === '*') {
    if (month === '*') return `on day ${Number(dom)} of every month at ${time}`;
    if (isNum(month) && Number(month) >= 1 && Number(month) <= 12) return `on ${Number(dom)} ${MONTHS[Number(month) - 1]} at ${time}`;
  }
  return 'on the cron schedule';
}
