import { createPrivateKey, randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { rawRequest, uniqueName, waitFor } from '@platform/test-kit';
import { SignJWT } from 'jose';
import type { OpenAPI } from 'openapi-types';
import { Agent } from 'undici';
import { openSse } from '../helpers/sse';
import { call, startTestPlatform, type TestPlatform } from './platform-fixture';

/** Acceptance: the real gateway process in front of the four real services, on the real infrastructure. */
describe('gateway in front of the running platform', () => {
  let platform: TestPlatform;
  let api: string;
  let admin: string;
  const customer = { email: `${uniqueName('cust')}@e2e.test`, password: 'a-long-and-unusual-passphrase' };
  let session: { accessToken: string; refreshToken: string };
  let product: { id: string; sku: string };
  const agent = new Agent();

  beforeAll(async () => {
    platform = await startTestPlatform();
    api = `${platform.gatewayUrl}/api/v1`;
    const adminLogin = await call<{ accessToken: string }>(`${api}/auth/login`, {
      body: { email: platform.secrets.ADMIN_EMAIL, password: platform.secrets.ADMIN_PASSWORD },
    });
    admin = adminLogin.body.accessToken;
  }, 300_000);
  afterAll(async () => {
    await agent.destroy();
    await platform?.stop();
  });

  it('when a customer registers, logs in and refreshes through the gateway, then each public route answers', async () => {
    expect((await call(`${api}/auth/register`, { body: customer })).status).toBe(202);
    const login = await call<typeof session>(`${api}/auth/login`, { body: customer });
    expect(login.status).toBe(200);
    const refreshed = await call<typeof session>(`${api}/auth/refresh`, {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    session = refreshed.body;
    expect((await call(`${platform.gatewayUrl}/.well-known/jwks.json`)).status).toBe(200);
    expect((await call(`${api}/users/me`, { token: session.accessToken })).status).toBe(200);
  });

  it('when an admin creates and stocks a product, then anyone can read it and customers can see its stock', async () => {
    const sku = uniqueName('GW')
      .toUpperCase()
      .replace(/[^A-Z0-9-]/g, '')
      .slice(0, 30);
    const created = await call<{ id: string }>(`${api}/products`, {
      token: admin,
      body: { sku, name: `Product ${sku}`, description: 'e2e', category: 'e2e', priceMinor: 990, currency: 'EUR' },
    });
    expect(created.status).toBe(201);
    product = { id: created.body.id, sku };
    expect((await call(`${api}/products?limit=5`)).status).toBe(200);
    expect((await call(`${api}/products/${product.id}`)).status).toBe(200);
    expect((await call(`${api}/products/sku/${sku}`)).status).toBe(200);
    await waitFor(async () => (await call(`${api}/stock/${sku}`, { token: session.accessToken })).status === 200, {
      what: 'inventory to open the stock record',
      timeoutMs: 30_000,
    });
    expect((await call(`${api}/stock/${sku}/restock`, { token: admin, body: { quantity: 10 } })).status).toBe(200);
    expect((await call(`${api}/users?limit=5`, { token: admin })).status).toBe(200);
    expect((await call(`${api}/orders`, { token: session.accessToken })).status).toBe(200);
  });

  it('when tokens are bad, then 401; when a customer calls an admin route, then 403; unknown routes 404', async () => {
    const key = createPrivateKey(platform.privateKeyPem);
    const claims = new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'EdDSA', kid: platform.secrets.JWT_KEY_ID })
      .setIssuer('platform-user-service')
      .setAudience('platform-api')
      .setSubject('a'.repeat(24))
      .setJti(randomUUID());
    const expired = await claims.setExpirationTime(Math.floor(Date.now() / 1000) - 300).sign(key);
    const tampered = `${session.accessToken.slice(0, -6)}AAAAAA`;
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${session.accessToken.split('.')[1]}.`;
    for (const token of [expired, tampered, none]) {
      const response = await call(`${api}/users/me`, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await call(`${api}/products`, { token: session.accessToken, body: { sku: 'X' } })).status).toBe(403);
    const unknown = await call(`${api}/unknown`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unknown.headers.get('strict-transport-security')).toBeTruthy();
  });

  it('when the owner watches a new order, then the stream shows PENDING then CONFIRMED; another user is refused', async () => {
    // Inventory paused, so the order is certainly PENDING when the stream opens.
    const restartInventory = await platform.stopService('inventory');
    const order = await call<{ id: string }>(`${api}/orders`, {
      token: session.accessToken,
      body: { lines: [{ productId: product.id, quantity: 2 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(order.status).toBe(201);
    const sse = await openSse(
      `${api}/orders/${order.body.id}/events`,
      { authorization: `Bearer ${session.accessToken}` },
      agent,
    );
    expect(JSON.parse((await sse.next())!.data)).toMatchObject({ orderId: order.body.id, status: 'PENDING' });

    const other = { email: `${uniqueName('other')}@e2e.test`, password: customer.password };
    await call(`${api}/auth/register`, { body: other });
    const otherToken = (await call<{ accessToken: string }>(`${api}/auth/login`, { body: other })).body.accessToken;
    const refused = await openSse(
      `${api}/orders/${order.body.id}/events`,
      { authorization: `Bearer ${otherToken}` },
      agent,
    );
    expect(refused.status).toBe(404);

    await restartInventory();
    expect(JSON.parse((await sse.next(60_000))!.data)).toMatchObject({ status: 'CONFIRMED' });
    sse.close();
  });

  it('when the merged OpenAPI document is fetched, then it is valid and covers every public route', async () => {
    const doc = await waitFor(
      async () => {
        const response = await call<{ paths: Record<string, unknown> }>(`${platform.gatewayUrl}/openapi.json`);
        return Object.keys(response.body.paths).some((p) => p.startsWith('/api/v1/stock')) && response.body;
      },
      { what: 'every service in the document' },
    );
    await SwaggerParser.validate(structuredClone(doc) as unknown as OpenAPI.Document);
    const paths = Object.keys(doc.paths).map((p) => p.replace(/\/$/, ''));
    for (const path of [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/users/me',
      '/api/v1/users',
      '/api/v1/users/{id}/role',
      '/api/v1/products',
      '/api/v1/products/{id}',
      '/api/v1/products/sku/{sku}',
      '/api/v1/orders',
      '/api/v1/orders/{id}',
      '/api/v1/orders/{id}/cancel',
      '/api/v1/orders/{id}/events',
      '/api/v1/stock/{sku}',
      '/api/v1/stock/{sku}/restock',
      '/api/v1/stock/{sku}/adjust',
      '/.well-known/jwks.json',
    ]) {
      expect(paths).toContain(path);
    }
    expect((await call(`${platform.gatewayUrl}/docs`)).status).toBe(200);
  });

  it('when a customer logs out, then the revoked token is refused through the gateway', async () => {
    const login = await call<typeof session>(`${api}/auth/login`, { body: customer });
    const { accessToken, refreshToken } = login.body;
    expect((await call(`${api}/auth/logout`, { token: accessToken, body: { refreshToken } })).status).toBe(204);
    const after = await call<{ code: string }>(`${api}/users/me`, { token: accessToken });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('TOKEN_REVOKED');
  });

  it('when two gateway processes share Redis, then together they allow exactly 5 logins per account, then 429', async () => {
    const replica = `${await platform.startGatewayReplica()}/api/v1`;
    const account = { email: `${uniqueName('limit')}@e2e.test`, password: customer.password };
    await call(`${replica}/auth/register`, { body: account });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      statuses.push((await call(`${attempt % 2 === 0 ? api : replica}/auth/login`, { body: account })).status);
    }
    // register counted too: same IP and account, so 4 logins fit in the budget of 5.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  describe('the closed edge', () => {
    const port = () => Number(new URL(platform.gatewayUrl).port);

    it('when a product is revalidated with its ETag, then 304 passes through with the ETag and no body', async () => {
      const first = await fetch(`${api}/products/${product.id}`);
      const etag = first.headers.get('etag');
      expect(first.status).toBe(200);
      expect(etag).toBeTruthy();
      const again = await fetch(`${api}/products/${product.id}`, { headers: { 'if-none-match': etag! } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');
    });

    it('when an admin route is spelled with escapes, a fragment or in absolute-form, then it gets the plain answer (403)', async () => {
      const authorization = `Bearer ${session.accessToken}`;
      for (const target of [
        '/api/v1/users',
        '/api/v1/%75sers',
        '/api/v1/users#x',
        '/api/v1/%75%73ers?limit=1#frag',
        `http://127.0.0.1:${port()}/api/v1/%75sers`,
      ]) {
        const answer = await rawRequest(port(), `GET ${target} HTTP/1.1`, { authorization });
        expect({ target, status: answer.status, code: JSON.parse(answer.body).code }).toEqual({
          target,
          status: 403,
          code: 'FORBIDDEN',
        });
      }
    });

    it('when the login route is spelled differently, then every spelling draws on the same 5-per-window budget', async () => {
      const account = { email: `${uniqueName('spell')}@e2e.test`, password: customer.password };
      expect((await call(`${api}/auth/register`, { body: account })).status).toBeLessThan(300);
      const body = JSON.stringify(account);
      const headers = { 'content-type': 'application/json' };
      const statuses: number[] = [];
      for (const target of [
        '/api/v1/auth/log%69n',
        '/api/v1/auth/login#again',
        `http://127.0.0.1:${port()}/api/v1/auth/login`,
        '/api/v1/auth/%6Cogin',
        '/api/v1/auth/login',
      ]) {
        statuses.push((await rawRequest(port(), `POST ${target} HTTP/1.1`, headers, body)).status);
      }
      // register counted too: same IP and account, so 4 logins fit in the budget of 5.
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    });

    it('when a 100 KB body is invalid everywhere, then the problem answer stays under 8 KB', async () => {
      const body = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`unknown-${i}`, 'x'.repeat(20)]));
      expect(JSON.stringify(body).length).toBeGreaterThan(100_000);
      const response = await fetch(`${api}/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(text.length).toBeLessThan(8 * 1024);
      expect(JSON.parse(text)).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(JSON.parse(text).errors.length).toBeLessThanOrEqual(5);
    });

    it.each([
      { what: 'a malformed %-escape', line: 'GET /api/v1/products/%zz HTTP/1.1', status: 400 },
      { what: 'a method the route does not serve', line: 'PROPFIND /api/v1/products HTTP/1.1', status: 405 },
      { what: 'an unknown method', line: 'BREW /api/v1/products HTTP/1.1', status: 501 },
      { what: 'a target over 8 KiB', line: `GET /api/v1/products?q=${'a'.repeat(9000)} HTTP/1.1`, status: 414 },
      { what: 'a path segment over the limit', line: `GET /api/v1/products/${'a'.repeat(300)} HTTP/1.1`, status: 414 },
      {
        what: 'a body of another media type',
        line: 'POST /api/v1/auth/login HTTP/1.1',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
        status: 415,
      },
      {
        what: 'a body over the limit',
        line: 'POST /api/v1/auth/login HTTP/1.1',
        headers: { 'content-type': 'application/json' },
        body: `"${'x'.repeat(1_100_000)}"`,
        status: 413,
      },
      {
        what: 'headers over 16 KiB',
        line: 'GET /api/v1/products HTTP/1.1',
        headers: { 'x-big': 'a'.repeat(20_000) },
        status: 431,
      },
    ])('when the edge refuses $what, then $status problem+json with the security headers', async (c) => {
      const answer = await rawRequest(port(), c.line, (c.headers ?? {}) as Record<string, string>, c.body ?? '');
      expect(answer.status).toBe(c.status);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' });
      expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
      expect(answer.headers['strict-transport-security']).toBeTruthy();
      expect(JSON.parse(answer.body)).toMatchObject({ status: c.status, code: expect.any(String) });
    });

    it('when a validly signed token has a sub that is not a string, then 401 INVALID_TOKEN, not 500', async () => {
      const token = await new SignJWT({ role: 'customer', sub: 42 } as unknown as Record<string, string>)
        .setProtectedHeader({ alg: 'EdDSA', kid: platform.secrets.JWT_KEY_ID })
        .setIssuer('platform-user-service')
        .setAudience('platform-api')
        .setJti(randomUUID())
        .setExpirationTime('5m')
        .sign(createPrivateKey(platform.privateKeyPem));
      const response = await call<{ code: string }>(`${api}/orders`, { token });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('INVALID_TOKEN');
    });

    it('when an anonymous client or one with bad tokens floods a gateway, then it gets 429 and the service is spared', async () => {
      // Its own client addresses (believed from X-Forwarded-For), so the counters are this test's alone.
      const replica = `${await platform.startGatewayReplica({ RATE_LIMIT_IP_MAX: '10', TRUSTED_PROXIES: '127.0.0.1' })}/api/v1`;
      const flood = async (forwardedFor: string, headers: Record<string, string>) => {
        const statuses: number[] = [];
        for (let i = 0; i < 15; i++) {
          const response = await fetch(`${replica}/orders`, {
            headers: { 'x-forwarded-for': forwardedFor, ...headers },
          });
          statuses.push(response.status);
          if (response.status === 429) {
            expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
            expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
          }
        }
        return statuses;
      };
      const anonymous = await flood(`10.77.${Math.floor(Math.random() * 250)}.1`, {});
      expect(anonymous).toEqual([...Array<number>(10).fill(401), ...Array<number>(5).fill(429)]);
      const badTokens = await flood(`10.78.${Math.floor(Math.random() * 250)}.1`, { authorization: 'Bearer a.b.c' });
      expect(badTokens).toEqual([...Array<number>(10).fill(401), ...Array<number>(5).fill(429)]);
      // Public reads are limited alike, before any service is asked.
      const reads: number[] = [];
      const ip = `10.79.${Math.floor(Math.random() * 250)}.1`;
      for (let i = 0; i < 12; i++) {
        reads.push((await fetch(`${replica}/products`, { headers: { 'x-forwarded-for': ip } })).status);
      }
      expect(reads).toEqual([...Array<number>(10).fill(200), 429, 429]);
    });

    it('when the merged OpenAPI document is read, then errors are problem+json, 429 is documented and request schemas match the handlers', async () => {
      type Operation = {
        responses: Record<string, { content?: Record<string, unknown> }>;
        requestBody?: { content: Record<string, { schema: { properties: Record<string, Record<string, unknown>> } }> };
        parameters?: Array<{ name: string; schema: Record<string, unknown> }>;
      };
      const doc = await waitFor(
        async () => {
          const response = await call<{ paths: Record<string, Record<string, Operation>> }>(
            `${platform.gatewayUrl}/openapi.json`,
          );
          const paths = Object.keys(response.body.paths);
          return ['/api/v1/users', '/api/v1/stock'].every((p) => paths.some((q) => q.startsWith(p))) && response.body;
        },
        { what: 'every service in the document' },
      );
      const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => ({ name: `${method} ${path}`, op })),
      );
      for (const { name, op } of operations) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400 && response.content) {
            expect({ name, status, types: Object.keys(response.content) }).toEqual({
              name,
              status,
              types: ['application/problem+json'],
            });
          }
        }
        if (name.includes('/api/v1/')) expect({ name, has429: '429' in op.responses }).toEqual({ name, has429: true });
      }
      const register = doc.paths['/api/v1/auth/register']!.post!;
      expect(register.requestBody!.content['application/json']!.schema.properties.password).toMatchObject({
        minLength: 12,
      });
      const listUsers = (doc.paths['/api/v1/users'] ?? doc.paths['/api/v1/users/'])!.get!;
      expect(listUsers.parameters!.find((p) => p.name === 'cursor')!.schema).toMatchObject({
        pattern: '^[A-Za-z0-9_-]{24}$',
      });
    });
  });

  it('when a service is killed, then 503 with Retry-After quickly, the breaker opens, and it recovers', async () => {
    const restart = await platform.stopService('product');
    const down = await call<{ code: string }>(`${api}/products`);
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    await waitFor(
      async () => (await call<{ detail: string }>(`${api}/products`)).body.detail?.includes('circuit open'),
      {
        what: 'the breaker to open',
      },
    );
    await restart();
    await waitFor(async () => (await call(`${api}/products`)).status === 200, {
      what: 'the product service to be back',
    });
  });
});
