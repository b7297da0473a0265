import { setTimeout as sleep } from 'node:timers/promises';
import { objectIdHex, waitFor } from '@platform/test-kit';
import { CONSUMER_GROUP } from '../../src/consumers';
import type { OrderView } from '../../src/domain/order-view';
import { startOrderApp, type TestApp } from '../helpers/app';
import { startEventPublisher, startEventRecorder, type EventPublisher, type EventRecorder } from '../helpers/kafka';
import { placeOrderOk, waitUntilRelayed } from '../helpers/orders';
import { startProductStub, type ProductStub, type StubProduct } from '../helpers/product-stub';

const TIMEOUT_MS = 1_500;

describe('the saga deadline', () => {
  let stub: ProductStub;
  let t: TestApp;
  let recorder: EventRecorder;
  let publisher: EventPublisher;
  let customer: { authorization: string };
  let product: StubProduct;

  beforeAll(async () => {
    stub = await startProductStub();
    t = await startOrderApp({
      PRODUCT_SERVICE_URL: stub.url,
      ORDER_PENDING_TIMEOUT_MS: String(TIMEOUT_MS),
      ORDER_DEADLINE_SWEEP_INTERVAL_MS: '100',
    });
    recorder = await startEventRecorder(t.config.KAFKA_TOPIC_PREFIX, ['order.confirmed', 'order.rejected']);
    publisher = await startEventPublisher(t.config.KAFKA_TOPIC_PREFIX);
    customer = await t.authHeader({ userId: objectIdHex() });
    product = stub.add();
  });

  afterAll(async () => {
    await publisher?.close();
    await recorder?.close();
    await t?.app.close();
    await stub?.close();
  });

  const order = async (id: string) =>
    (await t.app.inject({ method: 'GET', url: `/orders/${id}`, headers: customer })).json<OrderView>();
  const reserved = (placed: OrderView) =>
    publisher.publish('inventory.reserved', {
      orderId: placed.id,
      lines: placed.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    });
  const timedOut = async () =>
    Number(
      /orders_timed_out_total\{[^}]*\} (\d+)/.exec(
        await t.app.metrics.getSingleMetricAsString('orders_timed_out_total'),
      )?.[1],
    );

  it('when inventory does not answer within the deadline, then the order is REJECTED with reason TIMEOUT and order.rejected says so', async () => {
    const before = await timedOut();
    const placed = await placeOrderOk(t, customer, { lines: [{ productId: product.id, quantity: 1 }] });

    await waitFor(async () => (await order(placed.id)).status === 'REJECTED', {
      what: 'the deadline to reject the order',
    });

    expect(await order(placed.id)).toMatchObject({ status: 'REJECTED', rejectionReason: 'TIMEOUT' });
    const [event] = await waitFor(
      () => recorder.forOrder('order.rejected', placed.id).length > 0 && recorder.forOrder('order.rejected', placed.id),
      {
        what: 'order.rejected on Kafka',
      },
    );
    expect(event?.event.payload).toEqual({ orderId: placed.id, userId: placed.userId, reason: 'TIMEOUT' });
    expect(await timedOut()).toBe(before + 1);
  });

  it('when the reservation arrives after the deadline, then the order stays REJECTED and nothing is confirmed', async () => {
    const placed = await placeOrderOk(t, customer, { lines: [{ productId: product.id, quantity: 1 }] });
    await waitFor(async () => (await order(placed.id)).status === 'REJECTED', {
      what: 'the deadline to reject the order',
    });

    const late = await reserved(placed);
    await waitFor(() => publisher.consumedBy(CONSUMER_GROUP, late), {
      what: 'the late inventory.reserved to be handled',
    });

    expect(await order(placed.id)).toMatchObject({ status: 'REJECTED', rejectionReason: 'TIMEOUT' });
    expect(recorder.forOrder('order.confirmed', placed.id)).toEqual([]);
  });

  it('when the order was confirmed in time, then the deadline never touches it', async () => {
    const placed = await placeOrderOk(t, customer, { lines: [{ productId: product.id, quantity: 1 }] });
    await waitUntilRelayed(t, placed.id);
    await reserved(placed);
    await waitFor(async () => (await order(placed.id)).status === 'CONFIRMED', { what: 'the order to be CONFIRMED' });

    await sleep(TIMEOUT_MS * 2);

    expect(await order(placed.id)).toMatchObject({ status: 'CONFIRMED' });
    expect(recorder.forOrder('order.rejected', placed.id)).toEqual([]);
  });
});
