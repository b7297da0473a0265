import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type StubHandler = (request: ReceivedRequest, res: ServerResponse) => void;

/** A real HTTP server standing in for one service: it records what reached it and answers as a test scripts it. */
export interface StubService {
  name: string;
  url: string;
  requests: ReceivedRequest[];
  /** Replaces the handler for requests that are not GET /openapi.json. */
  handle(handler: StubHandler): void;
  /** Stops listening (connection refused from now on), as a crashed service would. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

/** Answers JSON as the services (Fastify) do: with its Content-Length. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    })
    .end(text);
}

/** The `sub` of a bearer token, read without verifying it: the stub trusts the gateway, which verified it. */
export function tokenSubject(headers: IncomingHttpHeaders): string | undefined {
  const token = headers.authorization?.replace(/^Bearer /, '');
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: string }).sub;
}

/** A minimal OpenAPI document of the kind @fastify/swagger writes for a service with one public resource. */
export function stubOpenApi(name: string, prefix: string): unknown {
  return {
    openapi: '3.0.3',
    info: { title: `${name} service`, version: '1.0.0' },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Item: { type: 'object', properties: { id: { type: 'string' } } } },
    },
    paths: {
      [prefix]: {
        get: {
          tags: [name],
          summary: `list ${name}`,
          responses: {
            200: {
              description: 'ok',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
            },
          },
        },
      },
      [`${prefix}/{id}`]: {
        get: {
          tags: [name],
          security: [{ bearerAuth: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'ok' } },
        },
      },
      '/internal/thing': { get: { responses: { 200: { description: 'internal, never public' } } } },
    },
  };
}

const echo: StubHandler = function echo(request, res) {
  json(res, 200, { service: 'stub', method: request.method, url: request.url, body: request.body });
};

export async function startStubService(name: string, openApi: unknown): Promise<StubService> {
  let handler: StubHandler = echo;
  let port = 0;
  const requests: ReceivedRequest[] = [];
  let server: http.Server;

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', function respond() {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      if (request.method === 'GET' && request.url === '/openapi.json') return json(res, 200, openApi);
      requests.push(request);
      handler(request, res);
    });
  }

  async function listen(): Promise<void> {
    server = http.createServer(onRequest);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }

  await listen();
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      handler = next;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    restart: listen,
  };
}
