import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Exchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP exchange on a connection of its own (no keep-alive), as a client behind an ingress sees the platform:
 * each request goes to whatever replica is behind the address at that moment. Rejects with the socket's error
 * (`code` ECONNREFUSED, ECONNRESET...) or a `TIMEOUT` error after `timeoutMs`.
 */
export function exchange(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
    timeoutMs = 10_000,
  }: {
    method?: string;
    headers?: Record<string, string>;
    body?: unknown;
    timeoutMs?: number;
  } = {},
): Promise<Exchange> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method,
        agent: false,
        headers: {
          connection: 'close',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    request.setTimeout(timeoutMs, () =>
      request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })),
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** The kind of a failed exchange, for "errors by kind": `http <status>` or what the connection did. */
export function failureKindOf(outcome: Exchange | Error): string {
  if (!(outcome instanceof Error)) return `http ${outcome.status}`;
  const code = (outcome as Error & { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(outcome.message)) return 'connection reset';
  if (code === 'TIMEOUT') return 'client timeout';
  return code ?? outcome.name;
}

export interface Shot<T> {
  index: number;
  startedAt: number;
  endedAt: number;
  result: T | Error;
}

export interface OpenLoopOptions<T> {
  /** Requests started per second, whether earlier ones answered or not (open loop: a slow system is not spared). */
  ratePerSecond: number;
  /** Hard bounds: the generator stops at whichever comes first, or at stop(). */
  maxDurationMs: number;
  maxRequests: number;
  /** Beyond this many unanswered requests a tick is skipped and counted, so a dead system cannot pile up sockets. */
  maxInFlight: number;
  send(index: number): Promise<T>;
}

export interface OpenLoop<T> {
  /** Stops starting requests and resolves with every shot once the ones in flight have ended. */
  stop(): Promise<{ shots: Array<Shot<T>>; skipped: number }>;
}

/** A bounded open-loop load generator: `send` is started at a fixed rate until stopped or a bound is reached. */
export function startOpenLoop<T>(options: OpenLoopOptions<T>): OpenLoop<T> {
  const shots: Array<Shot<T>> = [];
  const inFlight = new Set<Promise<void>>();
  let skipped = 0;
  let running = true;
  const interval = 1_000 / options.ratePerSecond;
  const started = Date.now();

  const loop = (async () => {
    for (let index = 0; running && index < options.maxRequests; index++) {
      const due = started + index * interval;
      if (due - started > options.maxDurationMs) break;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (!running) break;
      if (inFlight.size >= options.maxInFlight) {
        skipped++;
        continue;
      }
      const startedAt = Date.now();
      const shot = options.send(index).then(
        (result) => void shots.push({ index, startedAt, endedAt: Date.now(), result }),
        (err: unknown) =>
          void shots.push({
            index,
            startedAt,
            endedAt: Date.now(),
            result: err instanceof Error ? err : new Error(String(err)),
          }),
      );
      inFlight.add(shot);
      void shot.finally(() => inFlight.delete(shot));
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      await Promise.all(inFlight);
      return { shots: shots.sort((a, b) => a.index - b.index), skipped };
    },
  };
}
