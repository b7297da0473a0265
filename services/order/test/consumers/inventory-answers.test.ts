import { Types } from 'mongoose';
import { Topics } from '@platform/events';
import { metricValue, objectIdHex, waitFor } from '@platform/test-kit';
import type { EventEnvelope } from '@platform/kit';
import { CONSUMER_GROUP } from '../../src/consumers';
import type { OrderView } from '../../src/domain/order-view';
import { startOrderApp, type TestApp } from '../helpers/app';
import { startEventPublisher, startEventRecorder, type EventPublisher, type EventRecorder } from '../helpers/kafka';
import { placeOrderOk, waitUntilRelayed } from '../helpers/orders';
import { startProductStub, type ProductStub, type StubProduct } from '../helpers/product-stub';

describe('inventory answers (inventory.reserved, inventory.rejected)', () => {
  let stub: ProductStub;
  let t: TestApp;
  let recorder: EventRecorder;
  let publisher: EventPublisher;
  let customer: { authorization: string };
  let product: StubProduct;

  beforeAll(async () => {
    stub = await startProductStub();
    t = await startOrderApp({ PRODUCT_SERVICE_URL: stub.url });
    const prefix = t.config.KAFKA_TOPIC_PREFIX;
    recorder = await startEventRecorder(prefix, ['order.confirmed', 'order.rejected', 'order.cancelled']);
    publisher = await startEventPublisher(prefix);
    customer = await t.authHeader({ userId: objectIdHex() });
    product = stub.add();
  });

  afterAll(async () => {
    await publisher?.close();
    await recorder?.close();
    await t?.app.close();
    await stub?.close();
  });

  /** An order inventory can answer: its order.created has gone out, as in production. */
  async function newOrder(quantity = 2) {
    const order = await placeOrderOk(t, customer, { lines: [{ productId: product.id, quantity }] });
    await waitUntilRelayed(t, order.id);
    return order;
  }
  /** The order service's consumer group has handled (and committed) this event. */
  const processed = (event: EventEnvelope) => publisher.consumedBy(CONSUMER_GROUP, event);
  /** Every event the order's writes produced has been handed to Kafka. */
  const outboxDrained = async (id: string) =>
    (await t.app.mongo
      .collection('orders')
      .countDocuments({ _id: new Types.ObjectId(id), 'outbox.0': { $exists: true } })) === 0;
  const statusOf = async (id: string) => (await t.app.orderRepository.findById(id))?.status;
  const reserved = (order: OrderView) =>
    publisher.publish('inventory.reserved', {
      orderId: order.id,
      lines: order.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    });

  it('when inventory.reserved arrives, then the order is CONFIRMED and order.confirmed is published', async () => {
    const order = await newOrder();
    const confirmedBefore = await metricValue(t.app.metrics, 'orders_finalised_total', { status: 'CONFIRMED' });

    await reserved(order);

    await waitFor(async () => (await statusOf(order.id)) === 'CONFIRMED', { what: 'the order to be CONFIRMED' });
    const [event] = await waitFor(
      () => recorder.forOrder('order.confirmed', order.id).length > 0 && recorder.forOrder('order.confirmed', order.id),
      { what: 'order.confirmed on Kafka' },
    );
    expect(event?.key).toBe(order.id);
    expect(event?.event).toMatchObject({
      type: 'order.confirmed',
      payload: { orderId: order.id, userId: order.userId },
    });
    expect(await metricValue(t.app.metrics, 'orders_finalised_total', { status: 'CONFIRMED' })).toBe(
      confirmedBefore + 1,
    );
  });

  it('when the same inventory.reserved is delivered twice, or answered twice, then one transition and one order.confirmed', async () => {
    const order = await newOrder();
    const topic = `${t.config.KAFKA_TOPIC_PREFIX}${Topics.InventoryReservations}`;
    const handledBefore = await metricValue(t.app.metrics, 'kafka_messages_consumed_total', {
      topic,
      outcome: 'processed',
    });

    const event = await reserved(order);
    await publisher.republish('inventory.reserved', event); // a redelivery: same event id
    const second = await reserved(order); // a second answer with a new id

    // The second answer sits behind the others on the same partition (same key): once it is processed, all are.
    await waitFor(() => processed(second), { what: 'every delivery to be processed' });
    // No processed-event marks in this group: all three reach the handler, whose conditional transition applies once.
    expect(await metricValue(t.app.metrics, 'kafka_messages_consumed_total', { topic, outcome: 'processed' })).toBe(
      handledBefore + 3,
    );
    await waitFor(() => outboxDrained(order.id), { what: 'the outbox to be relayed' });
    expect(await statusOf(order.id)).toBe('CONFIRMED');
    expect(recorder.forOrder('order.confirmed', order.id)).toHaveLength(1);
  });

  it('when inventory.rejected arrives, then the order is REJECTED with a readable reason and order.rejected is published', async () => {
    const order = await newOrder(5);
    const sku = order.lines[0]!.sku;

    await publisher.publish('inventory.rejected', {
      orderId: order.id,
      lines: [{ sku, requested: 5, available: 2, reason: 'INSUFFICIENT_STOCK' }],
    });

    const [event] = await waitFor(
      () => recorder.forOrder('order.rejected', order.id).length > 0 && recorder.forOrder('order.rejected', order.id),
      { what: 'order.rejected on Kafka' },
    );
    const reason = `Stock could not be reserved: ${sku}: 5 requested, 2 available`;
    expect(event?.event.payload).toEqual({ orderId: order.id, userId: order.userId, reason });
    const stored = await t.app.inject({ method: 'GET', url: `/orders/${order.id}`, headers: customer });
    expect(stored.json()).toMatchObject({ status: 'REJECTED', rejectionReason: reason });
  });

  it('when inventory.reserved arrives for a CANCELLED order, then it stays CANCELLED and nothing is confirmed', async () => {
    const order = await newOrder();
    const cancel = await t.app.inject({ method: 'POST', url: `/orders/${order.id}/cancel`, headers: customer });
    expect(cancel.statusCode).toBe(200);

    const late = await reserved(order);
    await waitFor(() => processed(late), { what: 'the reservation to be processed' });
    await waitFor(() => outboxDrained(order.id), { what: 'the outbox to be relayed' });

    expect(await statusOf(order.id)).toBe('CANCELLED');
    expect(recorder.forOrder('order.confirmed', order.id)).toHaveLength(0);
    await waitFor(() => recorder.forOrder('order.cancelled', order.id).length === 1, { what: 'order.cancelled' });
  });

  it('when an answer names an order this service never stored, then it is skipped without retries', async () => {
    const orderId = objectIdHex();
    const topic = `${t.config.KAFKA_TOPIC_PREFIX}${Topics.InventoryReservations}`;
    const retriedBefore = await metricValue(t.app.metrics, 'kafka_messages_consumed_total', {
      topic,
      outcome: 'retried',
    });

    const event = await publisher.publish('inventory.rejected', {
      orderId,
      lines: [{ sku: 'UNKNOWN-1', requested: 1, available: 0, reason: 'UNKNOWN_SKU' }],
    });

    await waitFor(() => processed(event), { what: 'the answer to be processed' });
    expect(await t.app.orderRepository.findById(orderId)).toBeNull();
    expect(await metricValue(t.app.metrics, 'kafka_messages_consumed_total', { topic, outcome: 'retried' })).toBe(
      retriedBefore,
    );
  });
});
