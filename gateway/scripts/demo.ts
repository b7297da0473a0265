/* eslint-disable no-console -- a walkthrough talks to its terminal */
/**
 * `npm run demo`: a guided tour of the platform through the gateway, against a running `npm run up`.
 * register -> login -> browse -> order -> watch the order become CONFIRMED over Server-Sent Events.
 * The first admin's credentials (from .local/run/dev-secrets.json) create a product and its stock first.
 *
 * GATEWAY_URL (default http://127.0.0.1:3000) and DEV_SECRETS_FILE point it elsewhere.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000';
const api = `${gateway}/api/v1`;
const secretsFile =
  process.env.DEV_SECRETS_FILE ?? path.resolve(__dirname, '..', '..', '.local', 'run', 'dev-secrets.json');

interface Answer<T> {
  status: number;
  body: T;
}

async function call<T = Record<string, unknown>>(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Fails loudly with the problem the gateway or a service answered. */
function expectStatus<T>(answer: Answer<T>, status: number, what: string): T {
  if (answer.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

let stepNumber = 0;
function step(text: string): void {
  stepNumber += 1;
  console.log(`\n${stepNumber}. ${text}`);
}

async function login(email: string, password: string): Promise<string> {
  const session = expectStatus(
    await call<{ accessToken: string }>('POST', `${api}/auth/login`, { body: { email, password } }),
    200,
    `login as ${email}`,
  );
  return session.accessToken;
}

async function prepareProduct(adminToken: string): Promise<{ id: string; sku: string; name: string }> {
  const sku = `DEMO-${randomUUID().slice(0, 8).toUpperCase()}`;
  const name = 'Demo espresso cup';
  const product = expectStatus(
    await call<{ id: string }>('POST', `${api}/products`, {
      token: adminToken,
      body: { sku, name, description: 'Created by npm run demo', category: 'demo', priceMinor: 1250, currency: 'EUR' },
    }),
    201,
    'create product',
  );
  // Inventory opens the stock record when it consumes product.created: wait for it, then restock.
  for (let attempt = 0; (await call('GET', `${api}/stock/${sku}`, { token: adminToken })).status !== 200; attempt++) {
    if (attempt > 60) throw new Error(`inventory never opened stock for ${sku}`);
    await sleep(500);
  }
  expectStatus(
    await call('POST', `${api}/stock/${sku}/restock`, { token: adminToken, body: { quantity: 10 } }),
    200,
    'restock',
  );
  return { id: product.id, sku, name };
}

/** Reads the order's SSE stream, printing each status, until the order leaves PENDING. */
async function watchOrder(orderId: string, token: string): Promise<string> {
  const abort = new AbortController();
  const timeout = setTimeout(() => abort.abort(), 60_000);
  const response = await fetch(`${api}/orders/${orderId}/events`, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  if (response.status !== 200 || !response.body)
    throw new Error(`stream refused: ${response.status} ${await response.text()}`);
  let buffer = '';
  let status = 'PENDING';
  try {
    for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .find((line) => line.startsWith('data: '));
        buffer = buffer.slice(end + 2);
        if (!data) continue;
        status = (JSON.parse(data.slice(6)) as { status: string }).status;
        console.log(`   event: status ${status}`);
        if (status !== 'PENDING') return status;
      }
    }
    return status;
  } finally {
    clearTimeout(timeout);
    abort.abort();
  }
}

async function main(): Promise<void> {
  console.log(`Platform demo through the gateway at ${gateway}`);
  if (!fs.existsSync(secretsFile))
    throw new Error(`${secretsFile} not found: start the platform with npm run up first`);
  const secrets = JSON.parse(fs.readFileSync(secretsFile, 'utf8')) as { ADMIN_EMAIL: string; ADMIN_PASSWORD: string };

  step(`Log in as the first admin (${secrets.ADMIN_EMAIL}) and put a product on sale with 10 in stock`);
  const adminToken = await login(secrets.ADMIN_EMAIL, secrets.ADMIN_PASSWORD);
  const product = await prepareProduct(adminToken);
  console.log(`   created ${product.name} (${product.sku}), id ${product.id}, 10 in stock`);

  const customer = { email: `demo-${randomUUID().slice(0, 8)}@example.com`, password: `demo-${randomUUID()}` };
  step(`Register a customer: POST /api/v1/auth/register (${customer.email})`);
  expectStatus(await call('POST', `${api}/auth/register`, { body: customer }), 202, 'register');

  step('Log in: POST /api/v1/auth/login -> an EdDSA access token');
  const token = await login(customer.email, customer.password);
  console.log(`   access token ${token.slice(0, 24)}...`);

  step('Browse the catalogue: GET /api/v1/products?limit=5 (public)');
  const page = expectStatus(
    await call<{ items: Array<{ sku: string; name: string; priceMinor: number; currency: string }> }>(
      'GET',
      `${api}/products?limit=5`,
    ),
    200,
    'browse',
  );
  for (const item of page.items)
    console.log(`   ${item.sku.padEnd(16)} ${item.name} ${(item.priceMinor / 100).toFixed(2)} ${item.currency}`);

  step(`Order 2 x ${product.name}: POST /api/v1/orders with an Idempotency-Key`);
  const order = expectStatus(
    await call<{ id: string; status: string; totalMinor: number }>('POST', `${api}/orders`, {
      token,
      body: { lines: [{ productId: product.id, quantity: 2 }] },
      headers: { 'idempotency-key': randomUUID() },
    }),
    201,
    'place order',
  );
  console.log(`   order ${order.id} is ${order.status}, total ${(order.totalMinor / 100).toFixed(2)} EUR`);

  step(`Watch it live: GET /api/v1/orders/${order.id}/events (Server-Sent Events)`);
  const outcome = await watchOrder(order.id, token);
  console.log(outcome === 'CONFIRMED' ? '\nDone: the order is CONFIRMED.' : `\nThe order ended as ${outcome}.`);
}

main().catch((err: unknown) => {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
