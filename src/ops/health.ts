// GET /healthz (the process is up and the database answers), GET /readyz (migrated, platforms connected, not
// draining) and GET /metrics (Prometheus text from prom-client's default registry).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metricsText } from './metrics.ts';

export interface HealthSources {
  /** a round trip to the database */
  ping(): Promise<void>;
  /** what must be true to take traffic: name → ok */
  ready(): Record<string, boolean>;
}

const TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); })]).finally(() => clearTimeout(timer));
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
};

/** Handles the three paths; false for anything else. */
export function healthRoutes(src: HealthSources): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
  return async (req, res, path) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/healthz') {
      try {
        await withTimeout(src.ping(), TIMEOUT_MS);
        json(res, 200, { status: 'ok', database: 'ok' });
      } catch (e) {
        json(res, 503, { status: 'unhealthy', database: (e as Error).message.split('\n')[0].slice(0, 200) });
      }
      return true;
    }
    if (path === '/readyz') {
      const checks = src.ready();
      const ok = Object.values(checks).every(Boolean);
      json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks });
      return true;
    }
    if (path === '/metrics') {
      const m = await metricsText();
      res.writeHead(200, { 'content-type': m.contentType }).end(m.body);
      return true;
    }
    return false;
  };
}
