import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import { config } from './config.js';
import { api, expect, idempotencyKey } from './http.js';

/** Placement (POST sent) to the first read that shows a final status, per order. */
export const orderToFinal = new Trend('order_to_final_ms', true);
/** Whether each placed order reached a final status within K6_FINAL_STATUS_TIMEOUT_S. */
export const ordersFinal = new Rate('orders_final');
/** POSTs answered 503 with Retry-After (the order service shedding) that the client sent again after the wait. */
export const ordersShed = new Counter('orders_shed');

const isProduct = (p) => typeof p.id === 'string' && typeof p.sku === 'string' && Number.isInteger(p.priceMinor);

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

/** The customer of this VU: VUs share the provisioned customers round-robin. */
export function customerOf(data) {
  return data.customers[(exec.vu.idInTest - 1) % data.customers.length];
}

/** An anonymous shopper: a catalogue page, a product by id, the same product by sku. */
export function browse(data) {
  const sort = pick(['-createdAt', 'price', 'name']);
  expect(api('GET', `/products?limit=20&sort=${sort}`, { name: '/products' }), 200, 'list products', {
    'a page of products': (b) => Array.isArray(b.items) && b.items.every(isProduct) && 'nextCursor' in b,
  });
  const product = pick(data.products);
  expect(api('GET', `/products/${product.id}`, { name: '/products/:id' }), 200, 'product by id', {
    'the product asked for': (b) => b.id === product.id && b.sku === product.sku,
  });
  expect(api('GET', `/products/sku/${product.sku}`, { name: '/products/sku/:sku' }), 200, 'product by sku', {
    'the product asked for': (b) => b.id === product.id,
  });
}

/** Reads the order until it leaves PENDING; returns the final view or undefined after the timeout. */
export function followOrder(token, orderId) {
  const deadline = Date.now() + config.finalStatusSeconds * 1000;
  let pause = 0.05;
  for (;;) {
    const r = api('GET', `/orders/${orderId}`, { token, name: '/orders/:id' });
    const order = r.status === 200 ? r.json() : undefined;
    if (order && order.status !== 'PENDING') return order;
    if (Date.now() > deadline) return undefined;
    sleep(pause);
    pause = Math.min(pause * 2, config.pollMaxMs / 1000);
  }
}

/**
 * POST /orders as a well-behaved client: a 503 with Retry-After (the order service shedding new orders while its
 * saga is at its backlog limit, or an upstream away) is waited out and the same request sent again with the same
 * Idempotency-Key, so it can never order twice, until the order's final-status deadline. Such a 503 is expected,
 * not an error; the last answer is the one checked.
 */
function placeOrder(customer, body, started) {
  const deadline = started + config.finalStatusSeconds * 1000;
  const key = idempotencyKey(exec.vu.idInTest, exec.vu.iterationInScenario);
  for (;;) {
    const r = api('POST', '/orders', {
      token: customer.token,
      name: '/orders',
      headers: { 'idempotency-key': key },
      body,
      expected: [201, 503],
    });
    const wait = Number(r.headers['Retry-After']);
    const shed = r.status === 503 && wait > 0;
    if (!shed || Date.now() + wait * 1000 > deadline) return r;
    ordersShed.add(1);
    sleep(wait);
  }
}

/**
 * A customer places a one-line order and follows it to its final status (CONFIRMED with the seeded stock).
 * Returns the order as last read, or undefined when placing failed.
 */
export function placeAndFollow(data, customer = customerOf(data)) {
  const product = pick(data.products);
  const started = Date.now();
  const placed = expect(
    placeOrder(customer, { lines: [{ productId: product.id, quantity: 1 }] }, started),
    201,
    'place order',
    {
      'PENDING, priced from the catalogue': (b) =>
        b.status === 'PENDING' && b.lines.length === 1 && b.lines[0].productId === product.id && b.totalMinor > 0,
    },
  );
  if (!placed) return undefined;
  const final = followOrder(customer.token, placed.id);
  ordersFinal.add(final !== undefined);
  if (final) orderToFinal.add(Date.now() - started);
  check(final, { 'order confirmed': (o) => o !== undefined && o.status === 'CONFIRMED' });
  return final ?? placed;
}

/** A new visitor: registers, logs in and rotates the refresh token (3 credential calls on one new account). */
export function signUpAndRefresh() {
  const id = `${exec.vu.idInTest}-${exec.vu.iterationInScenario}-${Math.random().toString(36).slice(2, 8)}`;
  const email = `k6-${config.runId}-${id}@k6.test`.toLowerCase();
  const password = `amber-orchard-${Math.random().toString(36).slice(2)}`;
  expect(
    api('POST', '/auth/register', { body: { email, password }, name: '/auth/register', expected: [202] }),
    202,
    'register',
    {
      accepted: (b) => b.status === 'accepted',
    },
  );
  const session = expect(api('POST', '/auth/login', { body: { email, password }, name: '/auth/login' }), 200, 'login', {
    'a bearer session': (b) =>
      b.tokenType === 'Bearer' && typeof b.accessToken === 'string' && typeof b.refreshToken === 'string',
  });
  if (!session) return;
  expect(
    api('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken }, name: '/auth/refresh' }),
    200,
    'refresh',
    {
      'a new refresh token': (b) => typeof b.refreshToken === 'string' && b.refreshToken !== session.refreshToken,
    },
  );
}
