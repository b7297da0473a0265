// Light steady traffic through the gateway while test.sh rolls every Deployment (`helm upgrade`).
//   node steady-traffic.mjs <gateway URL> <admin credentials JSON> <report file>
// Logs in as the admin, puts a product on sale with stock, registers CUSTOMERS customers, then sends RATE requests per
// second, in turn: the catalogue (product), a customer's account (user, and the gateway's token check against the
// JWKS), the stock as the admin (inventory), the customer's orders (order), and every tenth request an order (the saga
// over Kafka). The customers take turns, so that no caller comes near the gateway's per-user limit. It runs until
// SIGTERM, then writes {sent, failed, byStatus, failures[]} to the report file. Any answer other than the expected
// status, and any connection error, is a failure, and nothing is retried: each failure names the hop that failed.
// RATE (default 3) stays well below the gateway's per-address limit.
/* global fetch, AbortSignal, console -- Node's globals; a command-line tool talks to its terminal */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

const [gateway, credentialsFile, reportFile] = process.argv.slice(2);
const api = `${gateway}/api/v1`;
const rate = Number(process.env.RATE ?? 3);
const customerCount = Number(process.env.CUSTOMERS ?? 4);
const admin = JSON.parse(fs.readFileSync(credentialsFile, 'utf8'));

async function call(method, path, { token, body, headers } = {}) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function expectOk(answer, status, what) {
  const result = await answer;
  if (result.status !== status) throw new Error(`${what}: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

const { accessToken: token } = await expectOk(
  call('POST', '/auth/login', { body: { email: admin.ADMIN_EMAIL, password: admin.ADMIN_PASSWORD } }),
  200,
  'login',
);
const sku = `ROLL-${randomUUID().slice(0, 8).toUpperCase()}`;
const product = await expectOk(
  call('POST', '/products', {
    token,
    body: {
      sku,
      name: 'Rollout mug',
      description: 'steady traffic',
      category: 'test',
      priceMinor: 500,
      currency: 'EUR',
    },
  }),
  201,
  'create product',
);
for (let i = 0; (await call('GET', `/stock/${sku}`, { token })).status !== 200; i++) {
  if (i > 120) throw new Error(`no stock record for ${sku}`);
  await sleep(500);
}
await expectOk(call('POST', `/stock/${sku}/restock`, { token, body: { quantity: 100000 } }), 200, 'restock');

const customers = [];
for (let i = 0; i < customerCount; i++) {
  const customer = { email: `rollout-${randomUUID().slice(0, 8)}@example.com`, password: `rollout-${randomUUID()}` };
  await expectOk(call('POST', '/auth/register', { body: customer }), 202, 'register');
  const session = await expectOk(call('POST', '/auth/login', { body: customer }), 200, 'customer login');
  customers.push(session.accessToken);
}
const customer = (n) => customers[Math.floor(n / 10) % customers.length];

const requests = [
  () => [call('GET', '/products?limit=5'), 200, 'GET /products'],
  (n) => [call('GET', '/users/me', { token: customer(n) }), 200, 'GET /users/me'],
  () => [call('GET', `/stock/${sku}`, { token }), 200, 'GET /stock/:sku'],
  (n) => [call('GET', '/orders?limit=5', { token: customer(n) }), 200, 'GET /orders'],
];
const order = (n) => [
  call('POST', '/orders', {
    token: customer(n),
    body: { lines: [{ productId: product.id, quantity: 1 }] },
    headers: { 'idempotency-key': randomUUID() },
  }),
  201,
  'POST /orders',
];

const report = { sent: 0, failed: 0, byStatus: {}, failures: [], startedAt: new Date().toISOString() };
const inFlight = new Set();
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});
console.log(`steady traffic: ${rate} requests/s to ${gateway}`);

for (let n = 0; !stopping; n++) {
  const [promise, status, what] = n % 10 === 9 ? order(n) : requests[n % requests.length](n);
  report.sent += 1;
  const done = promise.then(
    (answer) => {
      report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
      if (answer.status !== status) {
        report.failed += 1;
        // The gateway's own answer: a 502/503/504 with an UPSTREAM_* code is the hop from the gateway to a service.
        const hop = /^UPSTREAM_/.test(answer.body?.code ?? '') ? 'gateway -> service' : 'gateway';
        report.failures.push({ at: new Date().toISOString(), what, hop, status: answer.status, body: answer.body });
      }
    },
    (err) => {
      report.byStatus.error = (report.byStatus.error ?? 0) + 1;
      report.failed += 1;
      // No answer at all: the connection from this client to a gateway pod (through its Service) broke or hung.
      const cause = err?.cause ?? err;
      report.failures.push({
        at: new Date().toISOString(),
        what,
        hop: 'client -> gateway',
        error: String(cause),
        code: cause?.code,
      });
    },
  );
  inFlight.add(done);
  done.finally(() => inFlight.delete(done));
  await sleep(1000 / rate);
}
await Promise.all(inFlight);
report.stoppedAt = new Date().toISOString();
fs.writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(`steady traffic: ${report.sent} sent, ${report.failed} failed ${JSON.stringify(report.byStatus)}`);
