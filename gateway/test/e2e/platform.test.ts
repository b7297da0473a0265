import { createPrivateKey, randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { uniqueName, waitFor } from '@platform/test-kit';
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
  }, 240_000);
  afterAll(async () => {
    await agent.destroy();
    await platform?.stop();
  });

  it('when a customer registers, logs in and refreshes through the gateway, then each public route answers', async () => {
    expect((await call(`${api}/auth/register`, { body: customer })).status).toBe(201);
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

  it('when a customer logs out, then the gateway refuses the revoked token', async () => {
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
