// Requests refused before anyone is authenticated (forged, stale or replayed, too large): counted in a Prometheus
// counter in prom-client's default registry (served at /metrics), and logged as a summary at most once per interval,
// so a flood of forged requests cannot flood the log.
import { Counter, register } from 'prom-client';

export type RejectReason = 'signature' | 'timestamp' | 'replay' | 'too_large';

export const REJECTED_METRIC = 'memwall_rejected_requests_total';

/** One counter per process, whichever endpoint module loads first creates it. */
export const rejectedRequests: Counter<'endpoint' | 'reason'> =
  (register.getSingleMetric(REJECTED_METRIC) as Counter<'endpoint' | 'reason'> | undefined)
  ?? new Counter({
    name: REJECTED_METRIC,
    help: 'Requests refused before authentication (bad or missing signature, timestamp outside the window, replayed id, body too large)',
    labelNames: ['endpoint', 'reason'] as const,
  });

const WORDS: Record<RejectReason, string> = {
  signature: 'bad or missing signature',
  timestamp: 'timestamp outside ±5 min',
  replay: 'replayed',
  too_large: 'body too large',
};

export interface RejectionLogOptions {
  /** label and log prefix: "discord", "slack" */
  endpoint: string;
  log: (line: string) => void;
  /** at most one log line per this many ms (default 60 s) */
  intervalMs?: number;
  now?: () => number;
}

/** Count a refusal and log about it: the first at once, the rest summed up at the end of each interval. */
export class RejectionLog {
  private readonly counts = new Map<RejectReason, number>();
  private lastLogAt = -Infinity;
  private periodStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly o: RejectionLogOptions) {
    this.intervalMs = o.intervalMs ?? 60_000;
    this.now = o.now ?? Date.now;
  }

  reject(reason: RejectReason): void {
    rejectedRequests.inc({ endpoint: this.o.endpoint, reason });
    const now = this.now();
    if (this.counts.size === 0) this.periodStart = now;
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    if (now - this.lastLogAt >= this.intervalMs) { this.flush(); return; }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.lastLogAt + this.intervalMs - now);
      this.timer.unref?.();
    }
  }

  /** Log what has been counted since the last line (nothing when nothing was). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.counts.size === 0) return;
    const now = this.now();
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const parts = (Object.keys(WORDS) as RejectReason[]).filter((r) => this.counts.has(r)).map((r) => `${WORDS[r]} ${this.counts.get(r)}`).join(', ');
    const span = Math.round((now - this.periodStart) / 1000);
    const when = span >= 1 ? ` in the last ${span} s` : '';
    this.o.log(`${this.o.endpoint}: refused ${total} unauthenticated request${total === 1 ? '' : 's'}${when} (${parts}); `
      + `at most one such line per ${Math.round(this.intervalMs / 1000)} s, all counted in ${REJECTED_METRIC}`);
    this.counts.clear();
    this.lastLogAt = now;
  }
}
