import http from 'node:http';
import { objectIdHex } from '@platform/test-kit';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { json } from '../helpers/stub-service';

describe('proxy routes', () => {
  let gw: TestGateway;
  let customerToken: string;
  const userId = objectIdHex();

  beforeAll(async () => {
    gw = await startTestGateway();
    customerToken = await gw.issuer.token({ userId });
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

  it('when a route is unknown, then the gateway answers 404 problem+json without calling anyone', async () => {
    const response = await gw.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('when a path holds dot segments or encoded slashes, then it is refused with 404 before any rule or service sees it', async () => {
    // Over a real socket: inject() would normalise the dot segments away before the gateway saw them.
    const base = await gw.app.listen({ port: 0, host: '127.0.0.1' });
    for (const path of ['/api/v1/products/../users', '/api/v1/products/%2e%2e/users', '/api/v1/products/a%2Fb']) {
      const before = gw.stubs.product.requests.length;
      const status = await rawGet(base, path);
      expect({ path, status }).toEqual({ path, status: 404 });
      expect(gw.stubs.product.requests.length).toBe(before);
    }
  });
});

/** A GET with the path sent byte for byte (fetch would normalise it). */
function rawGet(base: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    http
      .get({ hostname, port, path }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}
