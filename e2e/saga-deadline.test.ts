import type { RunningPlatform } from '../packages/local-infra/src/platform';
import { waitFor } from '@platform/test-kit';
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

const DEADLINE_MS = 5_000;

describe('the saga deadline, across the running services', () => {
  let platform: RunningPlatform;
  let admin: string;
  let customer: string;

  beforeAll(async () => {
    platform = await startTestPlatform({
      extra: { order: { ORDER_PENDING_TIMEOUT_MS: String(DEADLINE_MS), ORDER_DEADLINE_SWEEP_INTERVAL_MS: '500' } },
    });
    admin = await login(platform, platform.secrets.ADMIN_EMAIL, platform.secrets.ADMIN_PASSWORD);
    customer = await registerCustomer(platform);
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('when inventory is away past the deadline, then the order is REJECTED/TIMEOUT; when it returns, then its late reservation is released', async () => {
    const product = await stockedProduct(platform, admin, 4);
    const restartInventory = await platform.stopService('inventory');

    const order = await placeOrder(platform, customer, [{ productId: product.id, quantity: 3 }]);
    expect(order.status).toBe(201);
    expect(await finalStatus(platform, customer, order.body.id, 60_000)).toBe('REJECTED');
    const rejected = await call<{ status: string; rejectionReason?: string }>(
      `${platform.urls.order}/orders/${order.body.id}`,
      { token: customer },
    );
    expect(rejected.body).toMatchObject({ status: 'REJECTED', rejectionReason: 'TIMEOUT' });

    // Back, inventory finds order.created and order.rejected waiting: whatever it reserves for the order goes back.
    await restartInventory();

    await waitFor(
      async () => {
        const stock = await call<{ available: number; reserved: number }>(
          `${platform.urls.inventory}/stock/${product.sku}`,
          { token: admin },
        );
        return stock.body.available === 4 && stock.body.reserved === 0;
      },
      { what: 'the stock to be whole again', timeoutMs: 60_000 },
    );
    expect(await available(platform, admin, product.sku)).toBe(4);
    const after = await call<{ status: string }>(`${platform.urls.order}/orders/${order.body.id}`, { token: customer });
    expect(after.body.status).toBe('REJECTED');
  }, 240_000);
});
