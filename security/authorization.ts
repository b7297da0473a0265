import { randomUUID } from 'node:crypto';
import { createTally, uniqueName } from '@platform/test-kit';
import { edgeViolations, newClientIp, send, sendRaw, type EdgeAnswer, type EdgeRequest } from './support/edge';
import { stockedProduct } from '../e2e/platform-fixture';
import type { Operation } from './support/openapi';
import type { SecurityContext } from './support/platform';

export const callers = ['anonymous', 'customer', 'another customer', 'admin'] as const;
export type Caller = (typeof callers)[number];

type Call = Omit<EdgeRequest, 'clientIp' | 'token'> & {
  /** Checked on a 2xx answer: what the caller may see of it. */
  check?: (answer: EdgeAnswer) => string | undefined;
  /** Another token than the caller's usual one (a session of its own that the call ends). */
  token?: string;
  /** Checked after the call: what it must not have done to others. */
  afterwards?: () => Promise<string | undefined>;
};

interface Row {
  /** `METHOD /path/{param}` as in the OpenAPI document. */
  route: string;
  /** The documented status per caller (gateway README, Routes; the services' READMEs for owner rules). */
  expect: Record<Caller, number>;
  call(caller: Caller): Call | Promise<Call>;
}

const PUBLIC = { anonymous: 200, customer: 200, 'another customer': 200, admin: 200 };
const TOKEN = { anonymous: 401, customer: 200, 'another customer': 200, admin: 200 };
const ADMIN = { anonymous: 401, customer: 403, 'another customer': 403, admin: 200 };
const OWNER = { anonymous: 401, customer: 200, 'another customer': 404, admin: 200 };

/** A session of `who` made at the user service itself, so the matrix can end or rotate it without touching others. */
async function freshSession(ctx: SecurityContext, who: { email: string; password: string }) {
  const body = { email: who.email, password: who.password };
  const login = await send(ctx.platform.urls.user, { target: '/auth/login', body, clientIp: newClientIp() });
  if (login.status !== 200) throw new Error(`login of ${who.email} at the user service: ${login.status} ${login.body}`);
  return JSON.parse(login.body) as { accessToken: string; refreshToken: string };
}

function rows(ctx: SecurityContext, spare: { patch: string; remove: string }): Row[] {
  const { alice, bob, product, orders } = ctx;
  const owned = (answer: EdgeAnswer) =>
    (JSON.parse(answer.body) as { items: Array<{ id: string; userId?: string }> }).items;
  return [
    {
      route: 'POST /api/v1/auth/register',
      expect: { anonymous: 202, customer: 202, 'another customer': 202, admin: 202 },
      call: () => ({
        target: '/api/v1/auth/register',
        body: { email: `${uniqueName('m')}@security.test`, password: 'a-long-and-unusual-passphrase' },
      }),
    },
    {
      route: 'POST /api/v1/auth/login',
      expect: PUBLIC,
      call: () => ({ target: '/api/v1/auth/login', body: { email: alice.email, password: alice.password } }),
    },
    {
      route: 'POST /api/v1/auth/refresh',
      expect: PUBLIC,
      call: async () => ({
        target: '/api/v1/auth/refresh',
        body: { refreshToken: (await freshSession(ctx, alice)).refreshToken },
      }),
    },
    {
      route: 'POST /api/v1/auth/logout',
      expect: { anonymous: 401, customer: 204, 'another customer': 204, admin: 204 },
      async call(caller) {
        // Bob ends his own session with Alice's refresh token: she must keep hers.
        const own = await freshSession(
          ctx,
          caller === 'admin'
            ? { email: ctx.admin.email, password: ctx.admin.password }
            : caller === 'another customer'
              ? bob
              : alice,
        );
        const victim = await freshSession(ctx, alice);
        const refreshToken = caller === 'another customer' ? victim.refreshToken : own.refreshToken;
        return {
          target: '/api/v1/auth/logout',
          token: caller === 'anonymous' ? undefined : own.accessToken,
          body: { refreshToken },
          check: () => undefined,
          afterwards:
            caller === 'another customer'
              ? async () => {
                  const refreshed = await send(ctx.gateways[0], {
                    target: '/api/v1/auth/refresh',
                    body: { refreshToken: victim.refreshToken },
                    clientIp: newClientIp(),
                  });
                  return refreshed.status === 200
                    ? undefined
                    : `Alice's session ended by Bob: refresh ${refreshed.status}`;
                }
              : undefined,
        };
      },
    },
    {
      route: 'GET /api/v1/users/me',
      expect: TOKEN,
      call: (caller) => ({
        target: '/api/v1/users/me',
        check: (answer) => {
          const id = (JSON.parse(answer.body) as { id: string }).id;
          const mine = { customer: alice.id, 'another customer': bob.id, admin: ctx.admin.id, anonymous: '' }[caller];
          return id === mine ? undefined : `saw user ${id}`;
        },
      }),
    },
    { route: 'GET /api/v1/users', expect: ADMIN, call: () => ({ target: '/api/v1/users?limit=5' }) },
    {
      route: 'PATCH /api/v1/users/{id}/role',
      expect: ADMIN,
      call: (caller) => ({
        method: 'PATCH',
        target: `/api/v1/users/${caller === 'admin' ? alice.id : caller === 'another customer' ? bob.id : alice.id}/role`,
        body: { role: caller === 'admin' ? 'customer' : 'admin' },
      }),
    },
    { route: 'GET /api/v1/products', expect: PUBLIC, call: () => ({ target: '/api/v1/products?limit=2' }) },
    { route: 'GET /api/v1/products/{id}', expect: PUBLIC, call: () => ({ target: `/api/v1/products/${product.id}` }) },
    {
      route: 'GET /api/v1/products/sku/{sku}',
      expect: PUBLIC,
      call: () => ({ target: `/api/v1/products/sku/${product.sku}` }),
    },
    {
      route: 'POST /api/v1/products',
      expect: { ...ADMIN, admin: 201 },
      call: () => {
        const sku = uniqueName('M')
          .toUpperCase()
          .replace(/[^A-Z0-9-]/g, '')
          .slice(0, 30);
        return {
          target: '/api/v1/products',
          body: { sku, name: sku, description: 'm', category: 'm', priceMinor: 1, currency: 'EUR' },
        };
      },
    },
    {
      route: 'PATCH /api/v1/products/{id}',
      expect: ADMIN,
      call: () => ({
        method: 'PATCH',
        target: `/api/v1/products/${spare.patch}`,
        body: { name: 'renamed by the matrix' },
      }),
    },
    {
      route: 'DELETE /api/v1/products/{id}',
      expect: { ...ADMIN, admin: 204 },
      call: () => ({ method: 'DELETE', target: `/api/v1/products/${spare.remove}` }),
    },
    {
      route: 'POST /api/v1/orders',
      expect: { anonymous: 401, customer: 201, 'another customer': 201, admin: 201 },
      call: () => ({
        target: '/api/v1/orders',
        headers: { 'idempotency-key': randomUUID() },
        body: { lines: [{ productId: product.id, quantity: 1 }] },
      }),
    },
    {
      route: 'GET /api/v1/orders',
      expect: TOKEN,
      call: (caller) => ({
        target: '/api/v1/orders?limit=100',
        check: (answer) => {
          const ids = owned(answer).map((o) => o.id);
          if (caller === 'customer' && !orders.every((id) => ids.includes(id))) return 'Alice does not see her orders';
          if (caller === 'another customer' && orders.some((id) => ids.includes(id))) return "Bob sees Alice's orders";
          return undefined;
        },
      }),
    },
    { route: 'GET /api/v1/orders/{id}', expect: OWNER, call: () => ({ target: `/api/v1/orders/${orders[0]}` }) },
    {
      route: 'GET /api/v1/orders/{id}/events',
      expect: OWNER,
      call: () => ({ target: `/api/v1/orders/${orders[0]}/events` }),
    },
    {
      route: 'POST /api/v1/orders/{id}/cancel',
      expect: OWNER,
      call: (caller) => ({
        target: `/api/v1/orders/${caller === 'customer' ? orders[0] : orders[1]}/cancel`,
        body: {},
      }),
    },
    { route: 'GET /api/v1/stock/{sku}', expect: TOKEN, call: () => ({ target: `/api/v1/stock/${product.sku}` }) },
    {
      route: 'POST /api/v1/stock/{sku}/restock',
      expect: ADMIN,
      call: () => ({ target: `/api/v1/stock/${product.sku}/restock`, body: { quantity: 1 } }),
    },
    {
      route: 'POST /api/v1/stock/{sku}/adjust',
      expect: ADMIN,
      call: () => ({ target: `/api/v1/stock/${product.sku}/adjust`, body: { delta: 1, reason: 'security suite' } }),
    },
    { route: 'GET /.well-known/jwks.json', expect: PUBLIC, call: () => ({ target: '/.well-known/jwks.json' }) },
    { route: 'GET /openapi.json', expect: PUBLIC, call: () => ({ target: '/openapi.json' }) },
    { route: 'GET /docs', expect: PUBLIC, call: () => ({ target: '/docs/' }) },
    { route: 'GET /health/live', expect: PUBLIC, call: () => ({ target: '/health/live' }) },
    { route: 'GET /health/ready', expect: PUBLIC, call: () => ({ target: '/health/ready' }) },
  ];
}

/** Someone else's order however it is asked for: other spellings, HEAD, the list's filter. */
function otherWays(
  ctx: SecurityContext,
): Array<{ name: string; status: number; request: Omit<EdgeRequest, 'clientIp'>; raw?: boolean }> {
  const id = ctx.orders[1];
  const token = ctx.bob.token;
  const escaped = id.replace(/[a-f]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return [
    {
      name: "Bob: HEAD Alice's order",
      status: 404,
      request: { method: 'HEAD', target: `/api/v1/orders/${id}`, token },
    },
    {
      name: "Bob: Alice's order, escaped id",
      status: 404,
      request: { target: `/api/v1/orders/${escaped}`, token },
      raw: true,
    },
    { name: "Bob: Alice's order, trailing slash", status: 404, request: { target: `/api/v1/orders/${id}/`, token } },
    // Ids are lower-case hex: another spelling is no id (400), never a way to someone else's order.
    {
      name: "Bob: Alice's order, upper-case id",
      status: 400,
      request: { target: `/api/v1/orders/${id.toUpperCase()}`, token },
    },
    {
      name: "Bob: Alice's event stream, escaped",
      status: 404,
      request: { target: `/api/v1/orders/${escaped}/events`, token },
      raw: true,
    },
    {
      name: "Bob: Alice's orders by userId filter",
      status: 403,
      request: { target: `/api/v1/orders?userId=${ctx.alice.id}`, token },
    },
    {
      name: "Bob: cancel Alice's order, escaped",
      status: 404,
      request: { target: `/api/v1/orders/${escaped}/cancel`, token, body: {} },
      raw: true,
    },
  ];
}

/**
 * Every route of the OpenAPI document for anonymous, a customer (the owner of the orders), another customer and an
 * admin: the documented status, problem+json on refusals, and on success only what the caller may see. A route in
 * the document without a row here fails the run, so a new route cannot go untested.
 */
export async function runAuthorizationMatrix(ctx: SecurityContext, operations: Operation[]) {
  const tally = createTally();
  const patch = await stockedProduct(ctx.platform, ctx.admin.token, 0);
  const remove = await stockedProduct(ctx.platform, ctx.admin.token, 0);
  const table = rows(ctx, { patch: patch.id, remove: remove.id });
  const missing = operations
    .map((op) => `${op.method} ${op.path}`)
    .filter((route) => !table.some((row) => row.route === route));
  for (const route of missing) tally.record('routes without a row', [`${route} is not in the matrix`]);

  const tokens: Record<Caller, string | undefined> = {
    anonymous: undefined,
    customer: ctx.alice.token,
    'another customer': ctx.bob.token,
    admin: ctx.admin.token,
  };
  // Anonymous and the other customer first: their refusals must come before the owner changes anything.
  const order: Caller[] = ['anonymous', 'another customer', 'customer', 'admin'];
  for (const row of table) {
    for (const caller of order) {
      const call = await row.call(caller);
      const { check, afterwards, ...request } = call;
      const answer = await send(ctx.gateways[Math.floor(Math.random() * 2)]!, {
        ...request,
        token: 'token' in call ? call.token : tokens[caller],
        clientIp: newClientIp(),
      });
      const violations = edgeViolations(answer);
      if (answer.status !== row.expect[caller])
        violations.push(`status ${answer.status}, documented ${row.expect[caller]}`);
      if (answer.status < 300 && check) {
        const seen = check(answer);
        if (seen) violations.push(seen);
      }
      const after = afterwards && (await afterwards());
      if (after) violations.push(after);
      tally.record(caller, violations, { route: row.route, status: answer.status, body: answer.body.slice(0, 200) });
    }
  }
  for (const attempt of otherWays(ctx)) {
    const request = { ...attempt.request, clientIp: newClientIp() };
    const answer = attempt.raw ? await sendRaw(ctx.gateways[1], request) : await send(ctx.gateways[0], request);
    const violations = attempt.request.method === 'HEAD' ? [] : edgeViolations(answer);
    if (answer.status !== attempt.status) violations.push(`status ${answer.status}, expected ${attempt.status}`);
    tally.record("another's order, other ways", violations, { name: attempt.name, status: answer.status });
  }
  return tally;
}
