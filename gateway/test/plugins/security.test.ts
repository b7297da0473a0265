import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { rawExchange } from '@platform/test-kit';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { json } from '../helpers/stub-service';

function expectSecurityHeaders(response: LightMyRequestResponse): void {
  expect(response.headers).toMatchObject({
    'content-security-policy': expect.stringContaining("default-src 'none'"),
    'strict-transport-security': expect.stringMatching(/^max-age=\d+; includeSubDomains$/),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
}

describe('edge hardening', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      CORS_ORIGINS: 'https://shop.example.com,http://localhost:5173',
      BODY_LIMIT_BYTES: '2048',
      COMPRESSION_THRESHOLD_BYTES: '1024',
    });
    await gw.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => gw.close());

  it('when any response is sent (proxied, own, error, 404), then it carries the security headers', async () => {
    const token = await gw.issuer.token({ userId: 'a'.repeat(24) });
    const responses = await Promise.all([
      gw.app.inject({ method: 'GET', url: '/api/v1/products' }),
      gw.app.inject({ method: 'GET', url: '/api/v1/orders', headers: { authorization: `Bearer ${token}` } }),
      gw.app.inject({ method: 'GET', url: '/api/v1/users/me' }),
      gw.app.inject({ method: 'GET', url: '/nope' }),
      gw.app.inject({ method: 'GET', url: '/openapi.json' }),
      gw.app.inject({ method: 'GET', url: '/health/live' }),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 401, 404, 200, 200]);
    responses.forEach(expectSecurityHeaders);
  });

  it('when a service sends a weaker policy, then the gateway one wins', async () => {
    gw.stubs.product.handle((_req, res) =>
      json(res, 200, {}, { 'content-security-policy': 'default-src *', 'x-frame-options': 'ALLOWALL' }),
    );
    const response = await gw.app.inject({ method: 'GET', url: '/api/v1/products' });
    expectSecurityHeaders(response);
  });

  it('when /docs is served, then only its CSP is relaxed, to scripts and styles of this origin', async () => {
    const response = await gw.app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe');
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('when a listed origin sends a preflight, then it is allowed', async () => {
    const response = await gw.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/orders',
      headers: {
        origin: 'https://shop.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(response.headers['access-control-allow-methods']).toContain('POST');
    expect(response.headers['access-control-allow-headers']).toContain('idempotency-key');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    // @fastify/cors writes `Vary: Origin` (capitalised).
    expect(String(response.headers.vary).toLowerCase()).toContain('origin');
  });

  it('when an unlisted origin sends a preflight, then it is refused with 403 and no CORS headers', async () => {
    const response = await gw.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/orders',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'CORS_ORIGIN_NOT_ALLOWED' });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when a listed origin makes a request, then the answer names it and exposes the useful headers', async () => {
    const allowed = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { origin: 'http://localhost:5173' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(allowed.headers['access-control-expose-headers']).toContain('ratelimit');
    const other = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { origin: 'https://evil.example.net' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when a request carries no Origin, then its answer has Vary: Origin and no CORS fields', async () => {
    const response = await gw.app.inject({ method: 'GET', url: '/api/v1/products' });
    expect(response.statusCode).toBe(200);
    expect(String(response.headers.vary).toLowerCase()).toContain('origin');
    expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it("when any answer is sent, then helmet's legacy and HTML-only headers are not among them", async () => {
    const response = await gw.app.inject({ method: 'GET', url: '/api/v1/products' });
    for (const name of [
      'x-xss-protection',
      'x-download-options',
      'x-permitted-cross-domain-policies',
      'x-dns-prefetch-control',
      'origin-agent-cluster',
    ]) {
      expect(response.headers[name]).toBeUndefined();
    }
  });

  it('when a body exceeds the limit, then 413 problem+json and the service is not called', async () => {
    const before = gw.stubs.user.requests.length;
    const response = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(4096) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(gw.stubs.user.requests.length).toBe(before);
  });

  it.each([
    { what: 'a malformed %-escape', head: 'GET /api/v1/products/%zz HTTP/1.1', status: 400, code: 'INVALID_PATH' },
    {
      what: 'a method the route does not serve',
      head: 'PROPFIND /api/v1/products HTTP/1.1',
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
    },
    { what: 'an unknown method', head: 'BREW /api/v1/products HTTP/1.1', status: 501, code: 'METHOD_NOT_IMPLEMENTED' },
    {
      what: 'a target over 8 KiB',
      head: `GET /api/v1/products?q=${'a'.repeat(9000)} HTTP/1.1`,
      status: 414,
      code: 'URI_TOO_LONG',
    },
    {
      what: 'a body of another media type',
      head: 'POST /api/v1/auth/login HTTP/1.1\r\nContent-Type: text/xml\r\nContent-Length: 3',
      body: '<a>',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      what: 'a body over the limit',
      head: 'POST /api/v1/auth/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 5000',
      body: `"${'x'.repeat(4998)}"`,
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      what: 'headers over 16 KiB',
      head: `GET /api/v1/products HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}`,
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    },
  ])('when the framework refuses $what, then $status $code as problem+json with the security headers', async (c) => {
    const { port } = gw.app.server.address() as AddressInfo;
    const answer = await rawExchange(port, `${c.head}\r\nHost: gw\r\nConnection: close\r\n\r\n${c.body ?? ''}`);
    expect(answer.status).toBe(c.status);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expectSecurityHeaders({ headers: answer.headers } as unknown as LightMyRequestResponse);
    expect(JSON.parse(answer.body)).toMatchObject({ status: c.status, code: c.code });
  });

  it('when a large answer goes to a client that accepts br or gzip, then it is compressed; small ones are not', async () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ id: i, name: `product ${i}` }));
    gw.stubs.product.handle((_req, res) => json(res, 200, { items }));
    const br = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(br.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString())).toEqual({ items });
    const gzip = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { 'accept-encoding': 'gzip, br;q=0' },
    });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gzip.rawPayload).toString())).toEqual({ items });
    const identity = await gw.app.inject({ method: 'GET', url: '/api/v1/products' });
    expect(identity.headers['content-encoding']).toBeUndefined();

    gw.stubs.product.handle((_req, res) => json(res, 200, { items: [] }));
    const small = await gw.app.inject({ method: 'GET', url: '/api/v1/products', headers: { 'accept-encoding': 'br' } });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('when a request carries x-request-id, then the answer echoes it', async () => {
    const response = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { 'x-request-id': 'abc-1' },
    });
    expect(response.headers['x-request-id']).toBe('abc-1');
  });
});
