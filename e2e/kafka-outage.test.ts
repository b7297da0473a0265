import type { Component } from '@platform/local-infra';
import { startPrivateKafka } from '@platform/test-kit';
import type { RunningPlatform } from '../packages/local-infra/src/platform';
import {
  finalStatus,
  login,
  placeOrder,
  registerCustomer,
  startTestPlatform,
  stockedProduct,
} from './platform-fixture';

describe('an order placed while Kafka is down', () => {
  let broker: Component;
  let platform: RunningPlatform;

  beforeAll(async () => {
    broker = await startPrivateKafka();
    platform = await startTestPlatform({ kafkaBrokers: broker.url });
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    await broker?.stop();
  });

  it('when Kafka is stopped, then the order is still accepted as PENDING; when Kafka returns, then it reaches CONFIRMED', async () => {
    const admin = await login(platform, platform.secrets.ADMIN_EMAIL, platform.secrets.ADMIN_PASSWORD);
    const customer = await registerCustomer(platform);
    const product = await stockedProduct(platform, admin, 3);

    await broker.stop();
    const order = await placeOrder(platform, customer, [{ productId: product.id, quantity: 1 }]);
    expect(order.status).toBe(201);
    expect(order.body.status).toBe('PENDING');

    await broker.start();

    expect(await finalStatus(platform, customer, order.body.id, 270_000)).toBe('CONFIRMED');
  }, 360_000);
});
