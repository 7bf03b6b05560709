import cron from 'node-cron';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLocal, lastFire, nextFire, parseSchedule, validTimezone } from '../src/digest/schedule.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const at = (s: string) => new Date(s);

describe('parseSchedule', () => {
  it('defaults to weekly, Monday 09:00', () => {
    expect(parseSchedule(undefined)).toEqual({ cron: '0 9 * * 1', label: 'weekly' });
    expect(parseSchedule('')).toEqual({ cron: '0 9 * * 1', label: 'weekly' });
    expect(parseSchedule('weekly')).toEqual({ cron: '0 9 * * 1', label: 'weekly' });
    expect(parseSchedule(' Weekly ')).toEqual({ cron: '0 9 * * 1', label: 'weekly' });
  });

  it('knows daily and hourly', () => {
    expect(parseSchedule('daily')).toEqual({ cron: '0 9 * * *', label: 'daily' });
    expect(parseSchedule('hourly')).toEqual({ cron: '0 * * * *', label: 'hourly' });
  });

  it('takes a 5-field cron as given (extra spaces collapsed)', () => {
    expect(parseSchedule('30 8 * * 1-5')).toEqual({ cron: '30 8 * * 1-5', label: '30 8 * * 1-5' });
    expect(parseSchedule('  0  18 * *  fri ')).toEqual({ cron: '0 18 * * fri', label: '0 18 * * fri' });
    expect(parseSchedule('*/15 * * * *')).toEqual({ cron: '*/15 * * * *', label: '*/15 * * * *' });
    expect(parseSchedule('@daily')).toEqual({ cron: '0 0 * * *', label: '@daily' });
  });

  it('refuses a bad cron with an example of a good one', () => {
    for (const bad of ['61 9 * * *', '0 25 * * *', 'every monday', '0 9 * *', '0 9 30 2 *', '@reboot', '* * * * * * *']) {
      const r = parseSchedule(bad);
      expect(r, bad).toHaveProperty('error');
      const error = (r as { error: string }).error;
      expect(error, bad).toContain('`30 8 * * 1-5` = 08:30 on weekdays');
      expect(error, bad).toContain(bad.trim());
    }
    expect((parseSchedule('61 9 * * *') as { error: string }).error).toMatch(/61 is a invalid expression for minute/);
  });

  it('refuses 6-field (seconds) crons: digests are per minute', () => {
    const r = parseSchedule('0 0 9 * * 1');
    expect(r).toHaveProperty('error');
    expect((r as { error: string }).error).toMatch(/6 fields.*seconds/);
    expect((r as { error: string }).error).toContain('`30 8 * * 1-5`');
  });

  it('refuses schedules that fire less than yearly', () => {
    expect((parseSchedule('0 9 29 2 *') as { error: string }).error).toMatch(/less than once a year/);
    expect(parseSchedule('0 9 1 1 *')).toEqual({ cron: '0 9 1 1 *', label: '0 9 1 1 *' });
  });
});

describe('validTimezone', () => {
  it('accepts IANA names and UTC', () => {
    for (const tz of ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe']) expect(validTimezone(tz), tz).toBe(true);
  });
  it('refuses everything else', () => {
    for (const tz of ['', ' ', 'Mars/Olympus_Mons', 'Europe/Londn', 'GMT+25', 'not a zone', 'x'.repeat(100)]) expect(validTimezone(tz), tz).toBe(false);
  });
});

describe('nextFire / lastFire in a timezone', () => {
  it('weekly Monday 09:00 Europe/London is 08:00Z in summer and 09:00Z in winter', () => {
    expect(iso(nextFire('0 9 * * 1', 'Europe/London', at('2026-05-28T12:00Z')))).toBe('2026-06-01T08:00:00.000Z');
    expect(iso(nextFire('0 9 * * 1', 'Europe/London', at('2026-01-01T00:00Z')))).toBe('2026-01-05T09:00:00.000Z');
    expect(iso(lastFire('0 9 * * 1', 'Europe/London', at('2026-06-03T00:00Z')))).toBe('2026-06-01T08:00:00.000Z');
    expect(iso(lastFire('0 9 * * 1', 'Europe/London', at('2026-01-07T00:00Z')))).toBe('2026-01-05T09:00:00.000Z');
  });

  it('weekly Monday 09:00 Europe/London across the spring-forward weekend (Sun 2026-03-29)', () => {
    // the Monday before is GMT, the Monday after is BST
    expect(iso(nextFire('0 9 * * 1', 'Europe/London', at('2026-03-23T09:00Z')))).toBe('2026-03-30T08:00:00.000Z');
    expect(iso(lastFire('0 9 * * 1', 'Europe/London', at('2026-03-30T07:59:59Z')))).toBe('2026-03-23T09:00:00.000Z');
    expect(iso(lastFire('0 9 * * 1', 'Europe/London', at('2026-03-30T08:00Z')))).toBe('2026-03-30T08:00:00.000Z');
    // and back at fall-back (Sun 2026-10-25)
    expect(iso(nextFire('0 9 * * 1', 'Europe/London', at('2026-10-19T08:00Z')))).toBe('2026-10-26T09:00:00.000Z');
  });

  it('a slot is ≤ the instant for lastFire and strictly after it for nextFire', () => {
    const slot = at('2026-06-01T08:00:00Z');
    expect(iso(lastFire('0 9 * * 1', 'Europe/London', slot))).toBe(slot.toISOString());
    expect(iso(lastFire('0 9 * * 1', 'Europe/London', new Date(slot.getTime() - 1)))).toBe('2026-05-25T08:00:00.000Z');
    expect(iso(nextFire('0 9 * * 1', 'Europe/London', slot))).toBe('2026-06-08T08:00:00.000Z');
    expect(iso(nextFire('0 9 * * 1', 'Europe/London', new Date(slot.getTime() - 1)))).toBe(slot.toISOString());
  });

  it('other zones: Asia/Kolkata (+05:30, no DST), Australia/Sydney (DST in its summer), UTC', () => {
    expect(iso(nextFire('0 9 * * *', 'Asia/Kolkata', at('2026-07-01T00:00Z')))).toBe('2026-07-01T03:30:00.000Z');
    expect(iso(nextFire('0 9 * * *', 'Australia/Sydney', at('2026-01-10T00:00Z')))).toBe('2026-01-10T22:00:00.000Z'); // AEDT +11
    expect(iso(nextFire('0 9 * * *', 'Australia/Sydney', at('2026-07-10T00:00Z')))).toBe('2026-07-10T23:00:00.000Z'); // AEST +10
    expect(iso(lastFire('30 8 * * 1-5', 'UTC', at('2026-06-07T12:00Z')))).toBe('2026-06-05T08:30:00.000Z'); // Sunday → Friday
  });

  // America/New_York springs forward on Sun 2026-03-08: 02:00 EST → 03:00 EDT; falls back Sun 2026-11-01: 02:00 EDT → 01:00 EST.
  describe('America/New_York spring-forward (2026-03-08) and fall-back (2026-11-01)', () => {
    const NY = 'America/New_York';

    it('daily 01:30 exists on the spring-forward day: 06:30Z (EST), then 05:30Z (EDT) from the next day', () => {
      expect(iso(nextFire('30 1 * * *', NY, at('2026-03-07T12:00Z')))).toBe('2026-03-08T06:30:00.000Z');
      expect(iso(nextFire('30 1 * * *', NY, at('2026-03-08T06:30Z')))).toBe('2026-03-09T05:30:00.000Z');
      expect(iso(lastFire('30 1 * * *', NY, at('2026-03-08T12:00Z')))).toBe('2026-03-08T06:30:00.000Z');
      expect(iso(lastFire('30 1 * * *', NY, at('2026-03-09T05:29Z')))).toBe('2026-03-08T06:30:00.000Z');
      expect(iso(lastFire('30 1 * * *', NY, at('2026-03-09T05:30Z')))).toBe('2026-03-09T05:30:00.000Z');
      expect(formatLocal(at('2026-03-09T05:30Z'), NY)).toBe('2026-03-09 01:30 EDT');
    });

    it('daily 02:30 does not exist on the spring-forward day: it fires at 03:30 EDT (07:30Z), not skipped', () => {
      expect(iso(nextFire('30 2 * * *', NY, at('2026-03-07T12:00Z')))).toBe('2026-03-08T07:30:00.000Z');
      expect(formatLocal(at('2026-03-08T07:30Z'), NY)).toBe('2026-03-08 03:30 EDT');
      expect(iso(lastFire('30 2 * * *', NY, at('2026-03-08T07:29Z')))).toBe('2026-03-07T07:30:00.000Z');
      expect(iso(lastFire('30 2 * * *', NY, at('2026-03-08T07:30Z')))).toBe('2026-03-08T07:30:00.000Z');
      expect(iso(nextFire('30 2 * * *', NY, at('2026-03-08T07:30Z')))).toBe('2026-03-09T06:30:00.000Z');
    });

    it('daily 01:30 happens twice on the fall-back day: it fires once, at the first (05:30Z, EDT)', () => {
      expect(iso(nextFire('30 1 * * *', NY, at('2026-11-01T00:00Z')))).toBe('2026-11-01T05:30:00.000Z');
      expect(iso(nextFire('30 1 * * *', NY, at('2026-11-01T05:30Z')))).toBe('2026-11-02T06:30:00.000Z');
      // during the repeated hour (01:30 EST = 06:30Z) the latest slot is still the first 01:30
      expect(iso(lastFire('30 1 * * *', NY, at('2026-11-01T06:45Z')))).toBe('2026-11-01T05:30:00.000Z');
    });

    it('Europe/London 01:30 on its spring-forward day (01:00 GMT → 02:00 BST) fires at 02:30 BST = 01:30Z', () => {
      expect(iso(nextFire('30 1 * * *', 'Europe/London', at('2026-03-28T12:00Z')))).toBe('2026-03-29T01:30:00.000Z');
      expect(iso(nextFire('30 1 * * *', 'Europe/London', at('2026-03-29T01:30Z')))).toBe('2026-03-30T00:30:00.000Z');
    });
  });

  it('lastFire looks back about 400 days at most', () => {
    expect(iso(lastFire('0 9 1 1 *', 'UTC', at('2026-12-31T00:00Z')))).toBe('2026-01-01T09:00:00.000Z');
    expect(lastFire('0 9 29 2 *', 'UTC', at('2026-12-31T00:00Z'))).toBeNull(); // last was 2024-02-29
    expect(iso(nextFire('0 9 29 2 *', 'UTC', at('2026-12-31T00:00Z')))).toBe('2028-02-29T09:00:00.000Z');
  });

  it('node-cron tokens: L (last day), 5L (last Friday), 1#2 (second Monday), 15W (nearest weekday)', () => {
    expect(iso(nextFire('0 9 L * *', 'UTC', at('2026-02-01T00:00Z')))).toBe('2026-02-28T09:00:00.000Z');
    expect(iso(nextFire('0 9 * * 5L', 'UTC', at('2026-06-01T00:00Z')))).toBe('2026-06-26T09:00:00.000Z');
    expect(iso(nextFire('0 9 * * 1#2', 'UTC', at('2026-06-01T00:00Z')))).toBe('2026-06-08T09:00:00.000Z');
    expect(iso(nextFire('0 9 15W * *', 'UTC', at('2026-08-01T00:00Z')))).toBe('2026-08-14T09:00:00.000Z'); // 15th is a Saturday
  });

  it('refuses an unknown timezone', () => {
    expect(() => nextFire('0 9 * * *', 'Mars/Base', at('2026-01-01T00:00Z'))).toThrow(/unknown timezone/);
  });

  // Away from DST transitions, my arithmetic must agree with node-cron's own matcher minute by minute.
  describe('agrees with node-cron’s matcher', () => {
    const tasks: { destroy(): void | Promise<void> }[] = [];
    afterAll(async () => { for (const t of tasks) await t.destroy(); });
    const crons = ['0 9 * * 1', '30 8 * * 1-5', '*/20 9-17 * * *', '15 */6 * * *', '0 12 1,15 * *', '5 23 * * 0', '0 9 L * *', '0 10 * * 2#1', '45 7 * jun-aug sat'];
    const zones = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];
    // 2026-06-29 .. 2026-07-08: no DST transition in any of these zones
    const from = Date.parse('2026-06-29T00:00:00Z');
    const to = Date.parse('2026-07-08T00:00:00Z');
    for (const expr of crons) {
      it(expr, () => {
        let checks = 0;
        for (const tz of zones) {
          const task = cron.createTask(expr, () => undefined, { timezone: tz });
          tasks.push(task);
          const fires: number[] = [];
          for (let t = from; t <= to; t += 60_000) if (task.match(new Date(t))) fires.push(t);
          // probe at every fire, just before it, just after it, and at 50 points in between
          const probes = new Set<number>();
          for (const f of fires) { probes.add(f); probes.add(f - 1); probes.add(f + 30_000); }
          for (let i = 0; i <= 50; i++) probes.add(from + Math.round((i / 50) * (to - from)));
          for (const p of probes) {
            const prev = [...fires].reverse().find((f) => f <= p);
            const next = fires.find((f) => f > p);
            // only where the brute-forced window settles the answer
            if (prev !== undefined) { expect(lastFire(expr, tz, new Date(p))?.getTime(), `${expr} ${tz} last ≤ ${new Date(p).toISOString()}`).toBe(prev); checks++; }
            if (next !== undefined) { expect(nextFire(expr, tz, new Date(p)).getTime(), `${expr} ${tz} next > ${new Date(p).toISOString()}`).toBe(next); checks++; }
          }
        }
        expect(checks).toBeGreaterThan(20);
      });
    }
  });
});
