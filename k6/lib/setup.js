import http from 'k6/http';
import { sleep } from 'k6';
import exec from 'k6/execution';
import { config } from './config.js';
import { api, json } from './http.js';

const setupTags = { kind: 'setup' };

/** Polls the gateway's readiness (which covers its database and Redis) until it answers 200; aborts the run otherwise. */
export function waitUntilReady() {
  const deadline = Date.now() + config.readySeconds * 1000;
  for (;;) {
    const r = http.get(`${config.baseUrl}/health/ready`, {
      tags: { ...setupTags, name: '/health/ready' },
      timeout: '5s',
      responseCallback: http.expectedStatuses(200, 503),
    });
    if (r.status === 200) return;
    if (Date.now() > deadline) {
      exec.test.abort(
        `${config.baseUrl} not ready after ${config.readySeconds} s (last answer: ${r.status} ${r.body})`,
      );
    }
    sleep(1);
  }
}

/**
 * A setup call that must succeed. A 429 is waited out (Retry-After, at most a minute) rather than retried at once:
 * the credential routes allow 5 calls per client IP and account per 15 minutes, so provisioning calls each of them
 * at most twice per account (register, login) and never hammers a limit it met.
 */
function must(method, path, options, status) {
  for (let attempt = 1; ; attempt++) {
    const r = api(method, path, { ...options, kind: 'setup', expected: [status, 429] });
    if (r.status === status) return json(r);
    const wait = Number(r.headers['Retry-After'] ?? r.headers['retry-after']);
    if (r.status === 429 && attempt < 3 && wait > 0 && wait <= 60) {
      sleep(wait);
      continue;
    }
    exec.test.abort(`setup: ${method} ${path} answered ${r.status}, expected ${status}: ${r.body}`);
  }
}

export function login(email, password) {
  return must('POST', '/auth/login', { body: { email, password }, name: '/auth/login' }, 200);
}

/** Names unique to this run, valid as SKUs (upper case) and as email local parts. */
export function runScoped(kind, index) {
  return `K6-${config.runId.toUpperCase()}-${kind}${index}`;
}

export function createProduct(adminToken, index, stock) {
  const sku = runScoped('P', index);
  const product = must(
    'POST',
    '/products',
    {
      token: adminToken,
      name: '/products',
      body: {
        sku,
        name: `k6 lamp ${index}`,
        description: 'seeded by k6',
        category: 'k6',
        priceMinor: 1990,
        currency: 'EUR',
      },
    },
    201,
  );
  // Inventory opens the stock record when it consumes product.created.
  const deadline = Date.now() + 60_000;
  while (
    api('GET', `/stock/${sku}`, { token: adminToken, name: '/stock/:sku', kind: 'setup', expected: [200, 404] })
      .status !== 200
  ) {
    if (Date.now() > deadline) exec.test.abort(`setup: inventory never opened the stock record of ${sku}`);
    sleep(0.2);
  }
  if (stock > 0) {
    must(
      'POST',
      `/stock/${sku}/restock`,
      { token: adminToken, name: '/stock/:sku/restock', body: { quantity: stock } },
      200,
    );
  }
  return { id: product.id, sku };
}

export function newCustomer(index) {
  const email = `${runScoped('c', index).toLowerCase()}@k6.test`;
  const password = `quiet-lantern-${Math.random().toString(36).slice(2)}-${index}`;
  must('POST', '/auth/register', { body: { email, password }, name: '/auth/register' }, 202);
  const session = login(email, password);
  return { email, token: session.accessToken };
}

/**
 * What every script's setup() returns: the gateway is ready, the admin logged in once, `products` products exist
 * with `stock` units each, and `customers` customers hold an access token.
 */
export function provision({ products = config.products, customers = config.customers, stock = 1_000_000 } = {}) {
  waitUntilReady();
  const admin = login(config.admin.email, config.admin.password);
  const seeded = [];
  for (let i = 0; i < products; i++) seeded.push(createProduct(admin.accessToken, i, stock));
  const accounts = [];
  for (let i = 0; i < customers; i++) accounts.push(newCustomer(i));
  return { adminToken: admin.accessToken, products: seeded, customers: accounts };
}
