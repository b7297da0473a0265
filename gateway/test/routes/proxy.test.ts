import http from 'node:http';
import { Agent, fetch } from 'undici';
import { objectIdHex, waitFor } from '@platform/test-kit';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { json } from '../helpers/stub-service';

describe('proxy routes', () => {
  let gw: TestGateway;
  let customerToken: string;
  let base: string;
  const userId = objectIdHex();

  beforeAll(async () => {
    gw = await startTestGateway();
    customerToken = await gw.issuer.token({ userId });
    base = await gw.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => gw.close());

  const cases = [
    { url: '/api/v1/auth/login', method: 'POST', stub: 'user', upstreamUrl: '/auth/login' },
    { url: '/api/v1/users/me', method: 'GET', stub: 'user', upstreamUrl: '/users/me' },
    { url: '/api/v1/products?limit=5', method: 'GET', stub: 'product', upstreamUrl: '/products?limit=5' },
    { url: `/api/v1/orders/${'a'.repeat(24)}`, method: 'GET', stub: 'order', upstreamUrl: `/orders/${'a'.repeat(24)}` },
    { url: '/api/v1/stock/SKU-1', method: 'GET', stub: 'inventory', upstreamUrl: '/stock/SKU-1' },
    { url: '/.well-known/jwks.json', method: 'GET', stub: 'user', upstreamUrl: '/.well-known/jwks.json' },
  ] as const;

  it.each(cases)(
    'when $method $url is called, then $stub receives $upstreamUrl',
    async ({ url, method, stub, upstreamUrl }) => {
      const response = await gw.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${customerToken}` },
        ...(method === 'POST' ? { payload: { email: 'a@b.c', password: 'x' } } : {}),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ url: upstreamUrl, method });
      expect(gw.stubs[stub].requests.at(-1)?.url).toBe(upstreamUrl);
    },
  );

  it('when a request is forwarded, then the token, identity, request id and trace context go along and spoofed identity does not', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await gw.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: {
        authorization: `Bearer ${customerToken}`,
        'x-request-id': 'req-123',
        traceparent,
        'idempotency-key': 'k-1',
        'x-user-role': 'admin',
        cookie: 'session=secret',
      },
      payload: { lines: [] },
    });
    const received = gw.stubs.order.requests.at(-1)!;
    expect(received.headers).toMatchObject({
      authorization: `Bearer ${customerToken}`,
      'x-user-id': userId,
      'x-user-role': 'customer',
      'x-request-id': 'req-123',
      traceparent,
      'idempotency-key': 'k-1',
      'content-type': 'application/json',
    });
    expect(received.headers.cookie).toBeUndefined();
    expect(JSON.parse(received.body)).toEqual({ lines: [] });
  });

  it('when the service answers with a problem, then the client gets it with its status and headers', async () => {
    gw.stubs.product.handle((_req, res) =>
      json(
        res,
        409,
        { code: 'SKU_TAKEN', status: 409 },
        { 'content-type': 'application/problem+json', location: '/x' },
      ),
    );
    const adminToken = await gw.issuer.token({ userId, role: 'admin' });
    const response = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: { authorization: `Bearer ${adminToken}` },
      payload: { sku: 'X' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers.location).toBe('/x');
    expect(response.json()).toEqual({ code: 'SKU_TAKEN', status: 409 });
  });

  it('when the service sheds with its own 503 and Retry-After, then the client gets that problem as sent, with the edge headers', async () => {
    const problem = { type: 'about:blank', status: 503, code: 'ORDER_BACKLOG_FULL', title: 'busy' };
    gw.stubs.order.handle((_req, res) =>
      json(res, 503, problem, { 'content-type': 'application/problem+json', 'retry-after': '2' }),
    );
    const response = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: `Bearer ${customerToken}`, 'idempotency-key': 'k'.repeat(16) },
      payload: { lines: [] },
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.json()).toEqual(problem);
  });

  it('when the service answers a conditional GET with 304, then the client gets 304 with its ETag and no body', async () => {
    gw.stubs.product.handle((req, res) => {
      if (req.headers['if-none-match'] === '"v7"') {
        res.writeHead(304, { etag: '"v7"', 'cache-control': 'no-cache' }).end();
      } else json(res, 200, { id: 'p1' }, { etag: '"v7"' });
    });
    const fresh = await gw.app.inject({ method: 'GET', url: '/api/v1/products/p1' });
    expect(fresh.headers.etag).toBe('"v7"');
    const revalidated = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/products/p1',
      headers: { 'if-none-match': '"v7"' },
    });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.headers.etag).toBe('"v7"');
    expect(revalidated.headers['cache-control']).toBe('no-cache');
    expect(revalidated.body).toBe('');
  });

  it('when the service writes a body slowly, then the client gets the first bytes before the service has finished', async () => {
    let finish: (() => void) | undefined;
    gw.stubs.product.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ part: 1, pad: 'x'.repeat(4000) })}\n`);
      finish = () => res.end(`${JSON.stringify({ part: 2 })}\n`);
    });
    const response = await fetch(`${base}/api/v1/products/export`);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"part":1');
    expect(finish).toBeDefined();
    finish!();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest).toContain('"part":2');
  });

  it('when the body is large, then it passes through byte for byte with its length, unparsed', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024, 'ab');
    gw.stubs.product.handle((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(payload.length) })
        .end(payload);
    });
    // identity: a compressed answer could not keep the service's length.
    const response = await fetch(`${base}/api/v1/products/blob`, { headers: { 'accept-encoding': 'identity' } });
    expect(response.headers.get('content-length')).toBe(String(payload.length));
    expect(Buffer.from(await response.arrayBuffer()).equals(payload)).toBe(true);
  });

  it('when HEAD or 204 is answered, then no body is sent; HEAD keeps the length a GET would have', async () => {
    gw.stubs.product.handle((req, res) => {
      if (req.method === 'DELETE') return void res.writeHead(204).end();
      json(res, 200, { id: 'p1', name: 'Lamp' });
    });
    const head = await gw.app.inject({ method: 'HEAD', url: '/api/v1/products/p1' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(JSON.stringify({ id: 'p1', name: 'Lamp' }).length));
    expect(head.body).toBe('');
    expect(gw.stubs.product.requests.at(-1)?.method).toBe('HEAD');

    const admin = await gw.issuer.token({ userId, role: 'admin' });
    const deleted = await gw.app.inject({
      method: 'DELETE',
      url: '/api/v1/products/p1',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.headers['content-length']).toBeUndefined();
    expect(deleted.body).toBe('');
  });

  it('when the service sends a 304 with the length of the representation, then the client gets the 304 as sent', async () => {
    gw.stubs.product.handle((_req, res) => void res.writeHead(304, { etag: '"v9"', 'content-length': '42' }).end());
    const response = await fetch(`${base}/api/v1/products/p1`, { headers: { 'if-none-match': '"v9"' } });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe('"v9"');
  });

  it('when the service sends hop-by-hop headers, then they stay on its side of the gateway', async () => {
    gw.stubs.product.handle((_req, res) =>
      json(
        res,
        200,
        {},
        {
          connection: 'x-hop-secret, keep-alive',
          'x-hop-secret': '1',
          'keep-alive': 'timeout=5',
          'x-end-to-end': 'kept',
        },
      ),
    );
    const response = await fetch(`${base}/api/v1/products/p1`);
    expect(response.headers.get('x-hop-secret')).toBeNull();
    expect(response.headers.get('keep-alive')).not.toBe('timeout=5');
    expect(response.headers.get('x-end-to-end')).toBe('kept');
  });

  it('when many requests are forwarded one after another, then they share one kept-alive connection to the service', async () => {
    const sockets = new Set<unknown>();
    gw.stubs.order.handle((req, res) => {
      sockets.add((res as unknown as { socket: unknown }).socket);
      json(res, 200, { url: req.url });
    });
    for (let i = 0; i < 20; i++) {
      const response = await gw.app.inject({
        method: 'GET',
        url: `/api/v1/orders/${'b'.repeat(24)}`,
        headers: { authorization: `Bearer ${customerToken}` },
      });
      expect(response.statusCode).toBe(200);
      // A client's next call over the network comes a turn later at the earliest; inject's next could come
      // before undici frees the connection, a tick after the answer's end, and find it busy.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sockets.size).toBe(1);
  });

  it('when the client goes away in the middle of a body, then the exchange with the service is ended too', async () => {
    let upstreamClosed = false;
    gw.stubs.product.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(64 * 1024));
      res.on('close', () => (upstreamClosed = true));
    });
    // A client of its own, destroyed at the end: an aborted fetch leaves its socket open on the gateway's side,
    // which would hold the gateway's close.
    const client = new Agent();
    const abort = new AbortController();
    const response = await fetch(`${base}/api/v1/products/forever`, {
      signal: abort.signal,
      headers: { 'accept-encoding': 'identity' },
      dispatcher: client,
    });
    await response.body!.getReader().read();
    abort.abort();
    await waitFor(() => upstreamClosed, { what: 'the upstream exchange to end' });
    await client.destroy();
  });

  it('when a route is unknown, then the gateway answers 404 problem+json without calling anyone', async () => {
    const response = await gw.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('when a body is not JSON, then 415 UNSUPPORTED_MEDIA_TYPE at the edge and the service is not called', async () => {
    const before = gw.stubs.user.requests.length;
    for (const headers of [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      {},
    ]) {
      const response = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers, payload: 'email=a' });
      expect(response.statusCode).toBe(415);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    expect(gw.stubs.user.requests.length).toBe(before);
  });

  it('when a method is not one the route serves, then 405 with Allow', async () => {
    const response = await gw.app.inject({ method: 'TRACE', url: '/api/v1/products' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toContain('GET');
    expect(response.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });

  it('when a path holds dot segments or encoded slashes, then it is refused with 400 before any rule or service sees it', async () => {
    // Over a real socket: inject() would normalise the dot segments away before the gateway saw them.
    for (const path of ['/api/v1/products/../users', '/api/v1/products/%2e%2e/users', '/api/v1/products/a%2Fb']) {
      const before = gw.stubs.product.requests.length;
      const { status, body } = await rawGet(base, path);
      expect({ path, status, code: JSON.parse(body).code }).toEqual({ path, status: 400, code: 'INVALID_PATH' });
      expect(gw.stubs.product.requests.length).toBe(before);
    }
  });

  it('when an admin or credential route is spelled with escapes, a fragment or in absolute-form, then it gets the answer of the plain spelling', async () => {
    const headers = { authorization: `Bearer ${customerToken}` };
    for (const path of ['/api/v1/users', '/api/v1/%75sers', '/api/v1/users#x', '/api/v1/%75%73ers?limit=1#frag']) {
      const { status, body } = await rawGet(base, path, headers);
      expect({ path, status, code: JSON.parse(body).code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
    }
    gw.stubs.user.handle((req, res) => json(res, 200, { url: req.url }));
    for (const path of ['/api/v1/auth/log%69n', '/api/v1/auth/login#x', `http://gateway.example/api/v1/auth/login`]) {
      const { status, body } = await rawRequest(base, 'POST', path, {}, '{"email":"a@b.c","password":"x"}');
      expect({ path, status }).toEqual({ path, status: 200 });
      // The service routes on the same canonical path the rules judged.
      expect(JSON.parse(body)).toEqual({ url: '/auth/login' });
    }
  });
});

/** A request with the path sent byte for byte (fetch would normalise it). */
function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const request = http.request(
      {
        hostname,
        port,
        path,
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function rawGet(base: string, path: string, headers: Record<string, string> = {}) {
  return rawRequest(base, 'GET', path, headers);
}
