// Prometheus metrics through prom-client's default registry, so counters other modules define appear at /metrics too.
// Registration is idempotent: a second import (tests, tsx reloads) reuses the metric already registered.
import { collectDefaultMetrics, Counter, Histogram, register, type Metric } from 'prom-client';

export { register };

function once<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const commandsTotal = once('memwall_commands_total', () => new Counter({
  name: 'memwall_commands_total', help: 'Commands answered, by command and outcome (answer, error, failed)', labelNames: ['command', 'outcome'] as const,
}));

export const commandSeconds = once('memwall_command_duration_seconds', () => new Histogram({
  name: 'memwall_command_duration_seconds', help: 'Time to produce a command reply, by command', labelNames: ['command'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
}));

export const digestsTotal = once('memwall_digests_total', () => new Counter({
  name: 'memwall_digests_total', help: 'Digest slots by platform and outcome (posted, failed, paused, skipped)', labelNames: ['platform', 'outcome'] as const,
}));

export const databaseErrorsTotal = once('memwall_database_errors_total', () => new Counter({
  name: 'memwall_database_errors_total', help: 'Errors from the database (store queries and connections)',
}));

export const httpRequestSeconds = once('memwall_http_request_duration_seconds', () => new Histogram({
  name: 'memwall_http_request_duration_seconds', help: 'HTTP request latency by route and status', labelNames: ['route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
}));

let defaults = false;
/** process metrics (CPU, memory, event loop lag); once per process */
export function collectProcessMetrics(): void {
  if (defaults || register.getSingleMetric('process_cpu_user_seconds_total')) return;
  defaults = true;
  collectDefaultMetrics();
}

export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: register.contentType, body: await register.metrics() };
}
