import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
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
    expect(allowed.headers['access-control-expose-headers']).toContain('ratelimit-remaining');
    const other = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { origin: 'https://evil.example.net' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
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
