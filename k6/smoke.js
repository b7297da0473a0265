// Smoke: one virtual user, one pass over every public route of the gateway, every answer checked (status and the
// parts of the body that matter). Any failed check or unexpected status fails the run: this is the CI gate.
import http from 'k6/http';
import { check, group } from 'k6';
import { config } from './lib/config.js';
import { api, expect, idempotencyKey } from './lib/http.js';
import { createProduct, newCustomer, provision } from './lib/setup.js';
import { followOrder } from './lib/flows.js';

export const options = {
  scenarios: { smoke: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '3m' } },
  thresholds: {
    'checks{scenario:smoke}': ['rate==1'],
    'http_req_failed{scenario:smoke}': ['rate==0'],
    'http_req_duration{scenario:smoke,kind:api}': [`p(95)<${config.p95Ms ?? 1000}`, `p(99)<${config.p99Ms ?? 2000}`],
  },
  setupTimeout: '2m',
};

const isProblem = (code) => (b) => typeof b.code === 'string' && (code === undefined || b.code === code);

export function setup() {
  return provision({ products: 1, customers: 1 });
}

export default function smoke(data) {
  const admin = data.adminToken;
  const customer = data.customers[0];
  const product = data.products[0];

  group('documents', () => {
    const jwks = http.get(`${config.baseUrl}/.well-known/jwks.json`, {
      tags: { name: '/.well-known/jwks.json', kind: 'api' },
    });
    expect(jwks, 200, 'jwks', { 'EdDSA keys': (b) => b.keys.length > 0 && b.keys.every((k) => k.kty === 'OKP') });
    const doc = http.get(`${config.baseUrl}/openapi.json`, { tags: { name: '/openapi.json', kind: 'api' } });
    expect(doc, 200, 'openapi', {
      'documents the public API': (b) =>
        typeof b.openapi === 'string' && Object.keys(b.paths).some((p) => p.startsWith('/api/v1/orders')),
    });
  });

  group('accounts', () => {
    const email = `k6-${config.runId}-smoke@k6.test`.toLowerCase();
    const password = `smoke-willow-${Math.random().toString(36).slice(2)}`;
    expect(api('POST', '/auth/register', { body: { email, password }, expected: [202] }), 202, 'register', {
      accepted: (b) => b.status === 'accepted',
    });
    const session = expect(api('POST', '/auth/login', { body: { email, password } }), 200, 'login', {
      'a bearer session': (b) => b.tokenType === 'Bearer' && b.expiresIn > 0,
    });
    if (!session) return;
    const me = expect(api('GET', '/users/me', { token: session.accessToken }), 200, 'me', {
      'the account, as a customer': (b) => b.email === email && b.role === 'customer',
    });
    const rotated = expect(
      api('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } }),
      200,
      'refresh',
      {
        'a new refresh token': (b) => b.refreshToken !== session.refreshToken,
      },
    );
    if (me) {
      expect(
        api('PATCH', `/users/${me.id}/role`, { token: admin, name: '/users/:id/role', body: { role: 'customer' } }),
        200,
        'change role',
        {
          'the role set': (b) => b.id === me.id && b.role === 'customer',
        },
      );
    }
    expect(api('GET', '/users?limit=5', { token: admin, name: '/users' }), 200, 'list users (admin)', {
      'a page of users': (b) => Array.isArray(b.items) && b.items.length > 0,
    });
    expect(api('GET', '/users', { token: session.accessToken, expected: [403] }), 403, 'list users (customer)', {
      'a problem': isProblem(),
    });
    if (rotated) {
      const out = api('POST', '/auth/logout', {
        token: rotated.accessToken,
        body: { refreshToken: rotated.refreshToken },
        expected: [204],
      });
      check(out, { 'logout: status 204': (r) => r.status === 204 });
      expect(
        api('POST', '/auth/refresh', { body: { refreshToken: rotated.refreshToken }, expected: [401] }),
        401,
        'refresh after logout',
        {
          'a problem': isProblem(),
        },
      );
    }
  });

  group('catalogue', () => {
    const list = api('GET', '/products?limit=5&category=k6', { name: '/products' });
    expect(list, 200, 'list products', { 'a page': (b) => Array.isArray(b.items) && 'nextCursor' in b });
    const byId = api('GET', `/products/${product.id}`, { name: '/products/:id' });
    expect(byId, 200, 'product by id', { 'the product': (b) => b.id === product.id && b.sku === product.sku });
    const etag = byId.headers.Etag ?? byId.headers.ETag;
    check(
      api('GET', `/products/${product.id}`, {
        name: '/products/:id',
        headers: { 'if-none-match': etag },
        expected: [304],
      }),
      {
        'conditional read: status 304': (r) => r.status === 304,
      },
    );
    expect(api('GET', `/products/sku/${product.sku}`, { name: '/products/sku/:sku' }), 200, 'product by sku', {
      'the product': (b) => b.id === product.id,
    });
    expect(
      api('GET', '/products/000000000000000000000000', { name: '/products/:id', expected: [404] }),
      404,
      'unknown product',
      {
        'a problem': isProblem(),
      },
    );
    const extra = createProduct(admin, 'X', 0);
    expect(
      api('PATCH', `/products/${extra.id}`, { token: admin, name: '/products/:id', body: { priceMinor: 2490 } }),
      200,
      'update product',
      {
        'the new price': (b) => b.priceMinor === 2490,
      },
    );
    check(api('DELETE', `/products/${extra.id}`, { token: admin, name: '/products/:id', expected: [204] }), {
      'delete product: status 204': (r) => r.status === 204,
    });
    expect(api('GET', `/products/${extra.id}`, { name: '/products/:id', expected: [404] }), 404, 'deleted product', {
      'a problem': isProblem(),
    });
  });

  group('stock', () => {
    const before = expect(
      api('GET', `/stock/${product.sku}`, { token: customer.token, name: '/stock/:sku' }),
      200,
      'stock',
      {
        'the sku': (b) => b.sku === product.sku && b.available > 0,
      },
    );
    if (!before) return;
    expect(
      api('POST', `/stock/${product.sku}/restock`, {
        token: admin,
        name: '/stock/:sku/restock',
        body: { quantity: 5 },
      }),
      200,
      'restock',
      {
        'five more': (b) => b.available === before.available + 5,
      },
    );
    expect(
      api('POST', `/stock/${product.sku}/adjust`, {
        token: admin,
        name: '/stock/:sku/adjust',
        body: { delta: -5, reason: 'k6 smoke' },
      }),
      200,
      'adjust',
      { 'five fewer': (b) => b.available === before.available },
    );
    expect(
      api('POST', `/stock/${product.sku}/restock`, {
        token: customer.token,
        name: '/stock/:sku/restock',
        body: { quantity: 1 },
        expected: [403],
      }),
      403,
      'restock (customer)',
      {
        'a problem': isProblem(),
      },
    );
  });

  group('orders', () => {
    expect(api('GET', '/orders', { expected: [401] }), 401, 'orders without a token', { 'a problem': isProblem() });
    const placed = expect(
      api('POST', '/orders', {
        token: customer.token,
        headers: { 'idempotency-key': idempotencyKey(1, 0) },
        body: { lines: [{ productId: product.id, quantity: 2 }] },
        expected: [201],
      }),
      201,
      'place order',
      { 'PENDING, priced': (b) => b.status === 'PENDING' && b.totalMinor === 2 * 1990 && b.currency === 'EUR' },
    );
    if (!placed) return;
    const final = followOrder(customer.token, placed.id);
    check(final, { 'order confirmed': (o) => o !== undefined && o.status === 'CONFIRMED' });
    expect(api('GET', '/orders?limit=5', { token: customer.token, name: '/orders' }), 200, 'my orders', {
      'the order listed': (b) => b.items.some((o) => o.id === placed.id),
    });
    expect(
      api('POST', `/orders/${placed.id}/cancel`, { token: customer.token, name: '/orders/:id/cancel' }),
      200,
      'cancel',
      {
        cancelled: (b) => b.status === 'CANCELLED',
      },
    );
    // CANCELLED is final: the stream sends it and ends, so the whole exchange fits in one request.
    const stream = api('GET', `/orders/${placed.id}/events`, {
      token: customer.token,
      name: '/orders/:id/events',
      timeout: '15s',
    });
    check(stream, {
      'status stream: status 200': (r) => r.status === 200,
      'status stream: text/event-stream': (r) => /^text\/event-stream/.test(r.headers['Content-Type'] ?? ''),
      'status stream: the final status': (r) => /event: status\ndata: \{[^\n]*"status":"CANCELLED"/.test(r.body),
    });
    const other = newCustomer('O');
    expect(
      api('GET', `/orders/${placed.id}`, { token: other.token, name: '/orders/:id', expected: [404] }),
      404,
      "someone else's order",
      {
        'a problem': isProblem(),
      },
    );
  });
}
