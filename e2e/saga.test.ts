import { waitFor } from '@platform/test-kit';
import type { RunningPlatform } from '../packages/local-infra/src/platform';
import {
  available,
  call,
  finalStatus,
  login,
  placeOrder,
  registerCustomer,
  startTestPlatform,
  stockedProduct,
} from './platform-fixture';

describe('order saga across the four running services', () => {
  let platform: RunningPlatform;
  let admin: string;
  let customer: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    admin = await login(platform, platform.secrets.ADMIN_EMAIL, platform.secrets.ADMIN_PASSWORD);
    customer = await registerCustomer(platform);
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('when stock suffices, then the order is CONFIRMED and stock decreases; when cancelled, then stock is restored', async () => {
    const product = await stockedProduct(platform, admin, 5);

    const order = await placeOrder(platform, customer, [{ productId: product.id, quantity: 2 }]);
    expect(order.status).toBe(201);
    expect(order.body.status).toBe('PENDING');

    expect(await finalStatus(platform, customer, order.body.id)).toBe('CONFIRMED');
    expect(await available(platform, admin, product.sku)).toBe(3);

    const cancelled = await call(`${platform.urls.order}/orders/${order.body.id}/cancel`, {
      token: customer,
      body: {},
    });
    expect(cancelled.status).toBe(200);
    await expectEventually(() => available(platform, admin, product.sku), 5);
  });

  it('when stock is short, then the order is REJECTED and stock is unchanged', async () => {
    const product = await stockedProduct(platform, admin, 1);

    const order = await placeOrder(platform, customer, [{ productId: product.id, quantity: 3 }]);

    expect(await finalStatus(platform, customer, order.body.id)).toBe('REJECTED');
    expect(await available(platform, admin, product.sku)).toBe(1);
  });

  it('when 50 orders race for the last 10 units, then exactly 10 are CONFIRMED and stock ends at 0, never below', async () => {
    const product = await stockedProduct(platform, admin, 10);

    const orders = await Promise.all(
      Array.from({ length: 50 }, () => placeOrder(platform, customer, [{ productId: product.id, quantity: 1 }])),
    );
    expect(orders.map((o) => o.status)).toEqual(Array(50).fill(201));

    const placedAt = Date.now();
    const statuses = await Promise.all(orders.map((o) => finalStatus(platform, customer, o.body.id, 120_000)));
    // Reported, not asserted: speed belongs to benchmarks (the target is 5 s on the 2-core machine).
    process.stdout.write(`50 orders for the last 10 units: all final ${Date.now() - placedAt} ms after the last 201\n`);
    expect(statuses.filter((s) => s === 'CONFIRMED')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(40);
    expect(await available(platform, admin, product.sku)).toBe(0);
  }, 180_000);
});

async function expectEventually(read: () => Promise<number>, expected: number): Promise<void> {
  await waitFor(async () => (await read()) === expected, { what: `value to become ${expected}`, timeoutMs: 30_000 });
}

describe('logout across services', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('when a customer logs out at the user service, then the order and inventory services refuse that access token', async () => {
    const email = `logout-${Date.now()}@e2e.test`;
    const password = 'a-long-and-unusual-passphrase';
    expect((await call(`${platform.urls.user}/auth/register`, { body: { email, password } })).status).toBe(202);
    const session = await call<{ accessToken: string; refreshToken: string }>(`${platform.urls.user}/auth/login`, {
      body: { email, password },
    });
    const token = session.body.accessToken;
    expect((await call(`${platform.urls.order}/orders`, { token })).status).toBe(200);

    const logout = await call(`${platform.urls.user}/auth/logout`, {
      token,
      body: { refreshToken: session.body.refreshToken },
    });
    expect(logout.status).toBe(204);

    for (const url of [`${platform.urls.order}/orders`, `${platform.urls.inventory}/stock/ANY-SKU`]) {
      const refused = await call(url, { token });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'TOKEN_REVOKED' });
    }
  });
});
