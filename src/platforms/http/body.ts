// Reading a request body within a limit, and refusing a request so the client knows the connection is finished.
// Shared by the endpoints that face the internet (Discord interactions, Slack events).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Discord and Slack payloads are a few kB; a megabyte is generous. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The body, or null when it is larger than `limit`. A declared Content-Length over the limit is refused without
 * reading a byte; otherwise reading stops at the first chunk that crosses the limit (nothing more is buffered).
 * The caller then answers with `refuse(…, 413, …)`, which closes the connection.
 */
export function readBodyWithin(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise<Buffer | null>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => { req.off('data', onData); req.off('end', onEnd); req.off('error', onError); };
    const onData = (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > limit) {
        done();
        req.pause(); // stop reading; the refusal closes the connection
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(b);
    };
    const onEnd = () => { done(); resolve(Buffer.concat(chunks)); };
    const onError = (e: Error) => { done(); reject(e); };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * A JSON refusal. 400 and 413 also say `connection: close`: the body may not have been read to its end, so the socket
 * cannot carry another request, and the client must know that rather than find a dead connection on its next request.
 */
export function refuse(res: ServerResponse, status: number, body: Record<string, unknown>, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extraHeaders };
  if (status === 400 || status === 413) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(text);
}

/**
 * Make any 400 or 413 that a library writes on `res` (Bolt, for a body it cannot parse) close the connection too.
 * Only those two statuses are touched; every other response keeps the connection alive.
 */
export function closeOnRefusal(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status === 400 || status === 413) res.setHeader('connection', 'close');
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}

/**
 * A request timestamp in whole Unix seconds (the form Discord and Slack send), within ±windowMs of now.
 * Anything else — letters, a fraction, milliseconds, an empty or repeated header — is outside it.
 */
export function timestampWithin(header: string | string[] | undefined, nowMs: number, windowMs: number): { ok: true; ms: number } | { ok: false } {
  if (typeof header !== 'string' || !/^\d{1,11}$/.test(header)) return { ok: false };
  const ms = Number(header) * 1000;
  return Math.abs(nowMs - ms) <= windowMs ? { ok: true, ms } : { ok: false };
}

/** ±5 minutes, the window both platforms document for their signatures. */
export const TIMESTAMP_WINDOW_MS = 5 * 60_000;
