// The pieces behind the endpoint checks, on their own: the refusal summary (one line per interval, counts in the
// default prom-client registry), the timestamp window, and the replay guard shared through a store.
import { register } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { timestampWithin, TIMESTAMP_WINDOW_MS } from '../src/platforms/http/body.ts';
import { REJECTED_METRIC, RejectionLog } from '../src/platforms/http/rejections.ts';
import { MemoryReplayGuard, sharedReplayGuard } from '../src/platforms/discord/replay-guard.ts';

afterEach(() => { vi.useRealTimers(); });

async function counted(endpoint: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const metric = register.getSingleMetric(REJECTED_METRIC);
  for (const v of (await metric!.get()).values) if (v.labels.endpoint === endpoint) out[String(v.labels.reason)] = v.value;
  return out;
}

describe('RejectionLog', () => {
  it('logs the first refusal at once, then at most one summary per interval, and counts every one', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const lines: string[] = [];
    const r = new RejectionLog({ endpoint: 'unit', log: (l) => lines.push(l), intervalMs: 60_000 });
    r.reject('signature');
    expect(lines).toEqual([expect.stringMatching(/^unit: refused 1 unauthenticated request \(bad or missing signature 1\)/)]);
    for (let i = 0; i < 999; i++) { vi.advanceTimersByTime(30); r.reject(i % 3 === 0 ? 'timestamp' : 'signature'); }
    // 999 more within 30 s: nothing logged yet
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^unit: refused 999 unauthenticated requests in the last \d+ s \(bad or missing signature 666, timestamp outside ±5 min 333\)/);
    vi.advanceTimersByTime(10 * 60_000);
    expect(lines).toHaveLength(2); // quiet: nothing more
    expect(await counted('unit')).toEqual({ signature: 667, timestamp: 333 });
  });

  it('the metric lives in the default registry, where /metrics is served from', async () => {
    new RejectionLog({ endpoint: 'unit2', log: () => {} }).reject('too_large');
    expect(await register.metrics()).toMatch(/memwall_rejected_requests_total\{endpoint="unit2",reason="too_large"\} 1/);
  });
});

describe('timestampWithin', () => {
  const now = 1_800_000_000_000;
  it('accepts whole seconds within ±5 minutes, inclusive', () => {
    expect(timestampWithin(String(now / 1000), now, TIMESTAMP_WINDOW_MS)).toEqual({ ok: true, ms: now });
    expect(timestampWithin(String(now / 1000 - 300), now, TIMESTAMP_WINDOW_MS).ok).toBe(true);
    expect(timestampWithin(String(now / 1000 + 300), now, TIMESTAMP_WINDOW_MS).ok).toBe(true);
  });
  it('refuses anything else', () => {
    for (const h of [String(now / 1000 - 301), String(now / 1000 + 301), 'abc', '', ' 1800000000', '1800000000.5', '1e9', '-1800000000', '0x6b49d200', String(now), undefined, ['1800000000']]) {
      expect(timestampWithin(h as string | undefined, now, TIMESTAMP_WINDOW_MS).ok, String(h)).toBe(false);
    }
  });
});

describe('sharedReplayGuard', () => {
  /** stands in for the store's markInteractionSeen (INSERT … ON CONFLICT DO NOTHING; true when inserted) */
  function store() {
    const rows = new Map<string, number>();
    return { rows, calls: 0, fail: false, async markInteractionSeen(id: string, expiresAtMs: number) {
      this.calls++;
      if (this.fail) throw new Error('connection refused');
      if (rows.has(id)) return false;
      rows.set(id, expiresAtMs);
      return true;
    } };
  }

  it('two instances sharing one store: an id is accepted once across both', async () => {
    const s = store();
    const a = sharedReplayGuard(s), b = sharedReplayGuard(s);
    expect(await a.firstSeen('i1', 9e15)).toBe(true);
    expect(await b.firstSeen('i1', 9e15)).toBe(false);
    expect(await a.firstSeen('i1', 9e15)).toBe(false);
    expect(await b.firstSeen('i2', 9e15)).toBe(true);
  });

  it('a repeat this instance has seen is refused without asking the store', async () => {
    const s = store();
    const g = sharedReplayGuard(s);
    await g.firstSeen('i1', 9e15);
    await g.firstSeen('i1', 9e15);
    expect(s.calls).toBe(1);
  });

  it('a store failure propagates, and the id is not remembered locally, so a retry asks again', async () => {
    const s = store();
    const g = sharedReplayGuard(s, new MemoryReplayGuard());
    s.fail = true;
    await expect(g.firstSeen('i1', 9e15)).rejects.toThrow(/connection refused/);
    s.fail = false;
    expect(await g.firstSeen('i1', 9e15)).toBe(true);
  });
});
