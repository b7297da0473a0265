import { EventTypes, type OrderCancelledV1, type OrderConfirmedV1, type OrderRejectedV1 } from '@platform/events';
import { createEvent } from '@platform/kit';
import { objectIdHex, waitFor } from '@platform/test-kit';
import { metricValue, newSku, orderCreated, seedStock, storedReservation, storedStock } from '../helpers/factories';
import { startInventory, type InventoryHarness } from '../helpers/service';

describe('order events', () => {
  let service: InventoryHarness;

  beforeAll(async () => {
    service = await startInventory();
  });
  afterAll(() => service?.close());

  const placeOrder = async (lines: Array<{ sku: string; quantity: number }>) => {
    const event = orderCreated(lines);
    await service.publish(event, event.payload.orderId);
    return event;
  };

  function cancel(orderId: string) {
    const event = createEvent<OrderCancelledV1>(EventTypes.OrderCancelled, {
      orderId,
      userId: objectIdHex(),
      previousStatus: 'PENDING',
      cancelledBy: objectIdHex(),
    });
    return service.publish(event, orderId);
  }

  it('when an order fits the stock, then inventory.reserved is published and the stock is held', async () => {
    const [a, b] = [await seedStock(service.app, 5), await seedStock(service.app, 2)];
    const before = await metricValue(service.app, 'inventory_reservations_total', { outcome: 'reserved' });
    const { payload } = await placeOrder([
      { sku: a, quantity: 3 },
      { sku: b, quantity: 2 },
    ]);

    const outcome = await service.outcomeFor(payload.orderId);
    expect(outcome.type).toBe('inventory.reserved');
    expect(outcome.event.payload).toEqual({
      orderId: payload.orderId,
      lines: [
        { sku: a, quantity: 3 },
        { sku: b, quantity: 2 },
      ],
    });
    expect(await storedStock(service.app, a)).toMatchObject({ available: 2, reserved: 3 });
    expect(await storedStock(service.app, b)).toMatchObject({ available: 0, reserved: 2 });
    expect(await storedReservation(service.app, payload.orderId)).toMatchObject({ status: 'RESERVED' });
    expect(await metricValue(service.app, 'inventory_reservations_total', { outcome: 'reserved' })).toBe(before + 1);
  });

  it('when an order needs more than is available, then inventory.rejected names the line and stock is unchanged', async () => {
    const sku = await seedStock(service.app, 1);
    const { payload } = await placeOrder([{ sku, quantity: 2 }]);

    const outcome = await service.outcomeFor(payload.orderId);
    expect(outcome.type).toBe('inventory.rejected');
    expect(outcome.event.payload).toEqual({
      orderId: payload.orderId,
      lines: [{ sku, requested: 2, available: 1, reason: 'INSUFFICIENT_STOCK' }],
    });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 1, reserved: 0, holds: [] });
    expect(await storedReservation(service.app, payload.orderId)).toMatchObject({ status: 'REJECTED' });
  });

  it('when the second line of an order fails, then the first is given back and every failing line is named', async () => {
    const first = await seedStock(service.app, 5);
    const second = await seedStock(service.app, 1);
    const unknown = newSku();
    const failures = await metricValue(service.app, 'inventory_reservation_failures_total', { reason: 'UNKNOWN_SKU' });
    const { payload } = await placeOrder([
      { sku: first, quantity: 4 },
      { sku: second, quantity: 3 },
      { sku: unknown, quantity: 1 },
    ]);

    const outcome = await service.outcomeFor(payload.orderId);
    expect(outcome.type).toBe('inventory.rejected');
    expect(outcome.event.payload).toEqual({
      orderId: payload.orderId,
      lines: [
        { sku: second, requested: 3, available: 1, reason: 'INSUFFICIENT_STOCK' },
        { sku: unknown, requested: 1, available: 0, reason: 'UNKNOWN_SKU' },
      ],
    });
    expect(await storedStock(service.app, first)).toMatchObject({ available: 5, reserved: 0, holds: [] });
    expect(await storedStock(service.app, second)).toMatchObject({ available: 1, reserved: 0, holds: [] });
    expect(await metricValue(service.app, 'inventory_reservation_failures_total', { reason: 'UNKNOWN_SKU' })).toBe(
      failures + 1,
    );
  });

  it('when a reserved order is cancelled, then its stock is given back', async () => {
    const sku = await seedStock(service.app, 4);
    const { payload } = await placeOrder([{ sku, quantity: 3 }]);
    await service.outcomeFor(payload.orderId);
    const released = await metricValue(service.app, 'inventory_releases_total', { cause: 'cancelled' });

    await cancel(payload.orderId);

    await waitFor(async () => (await storedReservation(service.app, payload.orderId))?.status === 'RELEASED', {
      what: 'the reservation to be released',
    });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 4, reserved: 0, holds: [] });
    expect(await metricValue(service.app, 'inventory_releases_total', { cause: 'cancelled' })).toBe(released + 1);
  });

  it('when a rejected or never reserved order is cancelled, then no stock changes', async () => {
    const sku = await seedStock(service.app, 1);
    const rejected = await placeOrder([{ sku, quantity: 5 }]);
    await service.outcomeFor(rejected.payload.orderId);
    const unknownOrder = objectIdHex();

    await cancel(rejected.payload.orderId);
    await cancel(unknownOrder);

    await waitFor(async () => (await storedReservation(service.app, unknownOrder)) !== null, {
      what: 'the early cancel to be recorded',
    });
    expect(await storedReservation(service.app, rejected.payload.orderId)).toMatchObject({ status: 'REJECTED' });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 1, reserved: 0 });

    // order.created overtaken by its cancel: nothing is held for it, and nothing is published.
    const late = orderCreated([{ sku, quantity: 1 }], unknownOrder);
    await service.publish(late, unknownOrder);
    const marker = orderCreated([{ sku: await seedStock(service.app, 1), quantity: 1 }]);
    await service.publish(marker, unknownOrder); // same partition, consumed after the late one
    await service.outcomeFor(marker.payload.orderId);
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 1, reserved: 0 });
    expect(service.published.filter((m) => m.event.payload.orderId === unknownOrder)).toEqual([]);
  });

  function reject(orderId: string, reason = 'TIMEOUT') {
    const event = createEvent<OrderRejectedV1>(EventTypes.OrderRejected, { orderId, userId: objectIdHex(), reason });
    return service.publish(event, orderId);
  }

  it('when an order timed out and its reservation arrives later, then order.rejected gives the stock back', async () => {
    const sku = await seedStock(service.app, 4);
    const { payload } = await placeOrder([{ sku, quantity: 3 }]);
    expect((await service.outcomeFor(payload.orderId)).type).toBe('inventory.reserved');
    const released = await metricValue(service.app, 'inventory_releases_total', { cause: 'rejected' });

    await reject(payload.orderId);

    await waitFor(async () => (await storedReservation(service.app, payload.orderId))?.status === 'RELEASED', {
      what: 'the late reservation to be released',
    });
    expect(await storedReservation(service.app, payload.orderId)).toMatchObject({ releaseCause: 'rejected' });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 4, reserved: 0, holds: [] });
    expect(await metricValue(service.app, 'inventory_releases_total', { cause: 'rejected' })).toBe(released + 1);
  });

  it('when order.rejected overtakes order.created, then the late order.created holds nothing and publishes nothing', async () => {
    const sku = await seedStock(service.app, 2);
    const orderId = objectIdHex();
    await reject(orderId);
    await waitFor(async () => (await storedReservation(service.app, orderId)) !== null, {
      what: 'the early rejection to be recorded',
    });

    await service.publish(orderCreated([{ sku, quantity: 1 }], orderId), orderId);
    const marker = orderCreated([{ sku: await seedStock(service.app, 1), quantity: 1 }]);
    await service.publish(marker, orderId); // same partition, consumed after the late one
    await service.outcomeFor(marker.payload.orderId);

    expect(await storedStock(service.app, sku)).toMatchObject({ available: 2, reserved: 0 });
    expect(await storedReservation(service.app, orderId)).toMatchObject({
      status: 'RELEASED',
      releaseCause: 'rejected',
    });
    expect(service.published.filter((m) => m.event.payload.orderId === orderId)).toEqual([]);
  });

  it('when inventory itself rejected the order, then order.rejected changes nothing', async () => {
    const sku = await seedStock(service.app, 1);
    const { payload } = await placeOrder([{ sku, quantity: 2 }]);
    expect((await service.outcomeFor(payload.orderId)).type).toBe('inventory.rejected');

    await reject(payload.orderId, 'Stock could not be reserved');
    const marker = orderCreated([{ sku: await seedStock(service.app, 1), quantity: 1 }]);
    await service.publish(marker, payload.orderId);
    await service.outcomeFor(marker.payload.orderId);

    expect(await storedReservation(service.app, payload.orderId)).toMatchObject({ status: 'REJECTED' });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 1, reserved: 0 });
  });

  it('when a reserved order is confirmed, then the reservation is final', async () => {
    const sku = await seedStock(service.app, 2);
    const { payload } = await placeOrder([{ sku, quantity: 1 }]);
    await service.outcomeFor(payload.orderId);

    const confirmed = createEvent<OrderConfirmedV1>(EventTypes.OrderConfirmed, {
      orderId: payload.orderId,
      userId: payload.userId,
    });
    await service.publish(confirmed, payload.orderId);

    await waitFor(async () => (await storedReservation(service.app, payload.orderId))?.status === 'CONFIRMED', {
      what: 'the reservation to be confirmed',
    });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 1, reserved: 1 });
  });

  it('when the same order.created is delivered twice, then the stock changes once and one outcome is published', async () => {
    const sku = await seedStock(service.app, 10);
    const event = orderCreated([{ sku, quantity: 3 }]);
    const { orderId } = event.payload;
    await service.publish(event, orderId);
    await service.publish(event, orderId);
    // Same key, same partition: once its outcome is out, both deliveries before it were handled.
    const marker = orderCreated([{ sku, quantity: 1 }]);
    await service.publish(marker, orderId);

    await service.outcomeFor(marker.payload.orderId);
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 6, reserved: 4 });
    expect(service.published.filter((m) => m.event.payload.orderId === orderId)).toHaveLength(1);
  });

  it('when 50 orders of one unit arrive for the last 10 units, then exactly 10 are reserved and stock never goes negative', async () => {
    const sku = await seedStock(service.app, 10);
    const orders = Array.from({ length: 50 }, () => orderCreated([{ sku, quantity: 1 }]));
    await Promise.all(orders.map((event) => service.publish(event, event.payload.orderId)));

    const outcomes = await Promise.all(orders.map((event) => service.outcomeFor(event.payload.orderId)));
    expect(outcomes.filter((o) => o.type === 'inventory.reserved')).toHaveLength(10);
    expect(outcomes.filter((o) => o.type === 'inventory.rejected')).toHaveLength(40);
    const stock = await storedStock(service.app, sku);
    expect(stock).toMatchObject({ available: 0, reserved: 10 });
    expect(stock?.holds).toHaveLength(10);
  });

  it('when the events above have been handled, then none of them was dead-lettered', async () => {
    expect(await metricValue(service.app, 'kafka_dlq_messages_total', {})).toBe(0);
  });
});
