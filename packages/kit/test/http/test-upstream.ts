import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../src/http';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1 whose answers each test scripts, and which records what reached it. */
export interface TestUpstream {
  url: string;
  requests: ReceivedRequest[];
  /** Scripts the next answers: handler 1 answers the next request, handler 2 the one after, and the last repeats. */
  answer(...handlers: Handler[]): void;
  close(): Promise<void>;
}

export function reply(status: number, body?: unknown, headers: Record<string, string> = {}): Handler {
  return function sendReply(_req, res) {
    if (body === undefined) return void res.writeHead(status, headers).end();
    const json = typeof body !== 'string';
    const contentType = json ? 'application/json' : 'text/plain';
    res.writeHead(status, { 'content-type': contentType, ...headers }).end(json ? JSON.stringify(body) : body);
  };
}

/** Never answers: the client's timeout is the only way out. */
export const hang: Handler = function hang() {};

/** Drops the connection without an answer, like a crashed upstream. */
export const dropConnection: Handler = function dropConnection(req) {
  req.socket.destroy();
};

export async function startUpstream(...handlers: Handler[]): Promise<TestUpstream> {
  let script = handlers.length > 0 ? handlers : [reply(200, { ok: true })];
  let answered = 0;
  const requests: ReceivedRequest[] = [];
  const server = http.createServer(function handle(req, res) {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', function respond() {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const handler = script[Math.min(answered, script.length - 1)] ?? hang;
      answered += 1;
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer(...next) {
      script = next;
      answered = 0;
    },
    close() {
      // Hanging requests would keep close() waiting forever.
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TestClient {
  client: HttpClient;
  registry: Registry;
  /** Every delay the client asked to wait, in order; nothing actually waits. */
  delays: number[];
}

/** A client with instant, recorded sleeps and jitter fixed at 0.5, so delays are exact and tests never wait. */
export function buildTestClient(upstream: TestUpstream, overrides: Partial<HttpClientOptions> = {}): TestClient {
  const registry = new Registry();
  const delays: number[] = [];
  const client = createHttpClient({
    name: 'catalog',
    baseUrl: upstream.url,
    timeoutMs: 1_000,
    registry,
    random: () => 0.5,
    sleep: async function recordDelay(ms) {
      delays.push(ms);
    },
    ...overrides,
  });
  return { client, registry, delays };
}

/**
 * The value of one series of a metric for the test client's upstream: a counter, the breaker state,
 * or a histogram's `<name>_count`.
 */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  // A histogram is registered under its base name and reports `<name>_count` as one of its samples.
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_count$/, ''));
  const wanted = { upstream: 'catalog', ...labels };
  const series = (await metric?.get())?.values.find(
    (value) =>
      ((value as { metricName?: string }).metricName ?? name) === name &&
      Object.entries(wanted).every(([label, expected]) => String(value.labels[label]) === expected),
  );
  return series?.value;
}
