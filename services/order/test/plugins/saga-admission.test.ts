import { Types } from 'mongoose';
import { metricValue, objectIdHex, waitFor } from '@platform/test-kit';
import { CONSUMER_GROUP } from '../../src/consumers';
import type { OrderView } from '../../src/domain/order-view';
import { startOrderApp, type TestApp } from '../helpers/app';
import { startEventPublisher, type EventPublisher } from '../helpers/kafka';
import { newIdempotencyKey, placeOrderOk, postOrder, waitUntilRelayed } from '../helpers/orders';
import { startProductStub, type ProductStub, type StubProduct } from '../helpers/product-stub';

const LIMIT = 2;

describe('admission control of new orders', () => {
  let stub: ProductStub;
  let t: TestApp;
  let publisher: EventPublisher;
  let customer: { authorization: string };
  let product: StubProduct;

  beforeAll(async () => {
    stub = await startProductStub();
    t = await startOrderApp({
      PRODUCT_SERVICE_URL: stub.url,
      ORDER_BACKLOG_LIMIT: String(LIMIT),
      ORDER_BACKLOG_PROBE_INTERVAL_MS: '50',
    });
    publisher = await startEventPublisher(t.config.KAFKA_TOPIC_PREFIX);
    customer = await t.authHeader({ userId: objectIdHex() });
    product = stub.add();
  });

  afterAll(async () => {
    await publisher?.close();
    await t?.app.close();
    await stub?.close();
  });

  const body = () => ({ lines: [{ productId: product.id, quantity: 1 }] });
  const metric = (name: string) => metricValue(t.app.metrics, name);

  it('when the orders waiting for inventory reach the limit, then new orders get 503 ORDER_BACKLOG_FULL until one is final', async () => {
    const waiting: OrderView[] = [];
    for (let i = 0; i < LIMIT; i += 1) waiting.push(await placeOrderOk(t, customer, body()));
    for (const placed of waiting) await waitUntilRelayed(t, placed.id);
    await waitFor(async () => (await metric('order_saga_backlog')) === LIMIT, {
      what: 'the probe to count the backlog',
    });
    const shedBefore = await metric('orders_shed_total');
    const productLookups = stub.requests;

    const key = newIdempotencyKey();
    const refused = await postOrder(t, customer, body(), key);

    expect(refused.statusCode).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.json()).toMatchObject({ status: 503, code: 'ORDER_BACKLOG_FULL' });
    expect(await metric('orders_shed_total')).toBe(shedBefore + 1);
    // Refused before it cost anything: no product lookup, no key kept, no order stored.
    expect(stub.requests).toBe(productLookups);
    expect(await t.app.mongo.collection('idempotency_keys').countDocuments({ key })).toBe(0);
    expect(await t.app.mongo.collection('orders').countDocuments({})).toBe(LIMIT);

    const [first] = waiting;
    const reserved = await publisher.publish('inventory.reserved', {
      orderId: first!.id,
      lines: first!.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    });
    await waitFor(() => publisher.consumedBy(CONSUMER_GROUP, reserved), { what: 'inventory.reserved to be handled' });
    await waitFor(async () => (await metric('order_saga_backlog')) < LIMIT, {
      what: 'the probe to see the order final',
    });

    const retried = await postOrder(t, customer, body(), key);
    expect(retried.statusCode).toBe(201);
  });

  it('when an order waits in the outbox for the broker, then it is not counted; while a relay publishes it, it is', async () => {
    const { orderRepository } = t.app;
    const orders = t.app.mongo.collection('orders');
    await waitFor(async () => (await orders.countDocuments({ outboxPending: { $exists: true } })) === 0, {
      what: 'the earlier orders to be relayed',
    });
    const before = await orderRepository.countInSaga(100);
    const pendingOrder = (fields: Record<string, unknown>) => ({
      _id: new Types.ObjectId(),
      userId: objectIdHex(),
      status: 'PENDING',
      lines: [],
      currency: 'EUR',
      totalMinor: 0,
      createdAt: new Date(),
      updatedAt: new Date(),
      outbox: [{ topic: 'orders', key: 'k', event: {} }],
      outboxPending: true,
      outboxDueAt: new Date(Date.now() + 3_600_000),
      ...fields,
    });

    await orders.insertOne(pendingOrder({}));
    expect(await orderRepository.countInSaga(100)).toBe(before);

    await orders.insertOne(pendingOrder({ outboxLease: 'a relay publishing it' }));
    expect(await orderRepository.countInSaga(100)).toBe(before + 1);
  });
});
