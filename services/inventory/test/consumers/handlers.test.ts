import { EventTypes, type OrderCancelledV1, type OrderConfirmedV1 } from '@platform/events';
import { createEvent } from '@platform/kit';
import { objectIdHex, waitFor } from '@platform/test-kit';
import { handleOrderCancelled, handleOrderConfirmed, handleOrderCreated } from '../../src/consumers/order-events';
import type { InventoryDeps } from '../../src/domain/ports';
import { sweepReservations } from '../../src/domain/sweep-reservations';
import { metricValue, orderCreated, seedStock, storedReservation, storedStock } from '../helpers/factories';
import { startInventory, type InventoryHarness } from '../helpers/service';

/**
 * The pure handlers called directly, without the kit's processed-events store in front of them: each must be
 * idempotent on its own, and converge after a crash at any step.
 */
describe('order handlers, called directly', () => {
  let service: InventoryHarness;
  let deps: InventoryDeps;

  beforeAll(async () => {
    service = await startInventory();
    deps = service.app.inventory;
  });
  afterAll(() => service?.close());

  const cancelled = (orderId: string) =>
    createEvent<OrderCancelledV1>(EventTypes.OrderCancelled, {
      orderId,
      userId: objectIdHex(),
      previousStatus: 'PENDING',
      cancelledBy: objectIdHex(),
    });
  const confirmed = (orderId: string) =>
    createEvent<OrderConfirmedV1>(EventTypes.OrderConfirmed, { orderId, userId: objectIdHex() });
  /** A clock past every lease, as a redelivery after a crash sees it. */
  const later = (): InventoryDeps => ({ ...deps, now: () => new Date(Date.now() + 60_000) });

  it('when order.created is handled twice, then the stock changes once and one event is published', async () => {
    const sku = await seedStock(service.app, 5);
    const event = orderCreated([{ sku, quantity: 2 }]);

    await handleOrderCreated(event, deps);
    await handleOrderCreated(event, deps);

    expect(await storedStock(service.app, sku)).toMatchObject({ available: 3, reserved: 2 });
    expect((await storedStock(service.app, sku))?.holds).toHaveLength(1);
    await service.outcomeFor(event.payload.orderId);
    await waitFor(
      async () => ((await storedReservation(service.app, event.payload.orderId))?.outbox ?? []).length === 0,
      {
        what: 'the outbox to be relayed',
      },
    );
    expect(service.published.filter((m) => m.event.payload.orderId === event.payload.orderId)).toHaveLength(1);
  });

  it('when order.cancelled is handled twice, then the stock is given back once', async () => {
    const sku = await seedStock(service.app, 5);
    const event = orderCreated([{ sku, quantity: 2 }]);
    await handleOrderCreated(event, deps);
    const before = await metricValue(service.app, 'inventory_releases_total', { cause: 'cancelled' });

    await handleOrderCancelled(cancelled(event.payload.orderId), deps);
    await handleOrderCancelled(cancelled(event.payload.orderId), deps);

    expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0, holds: [] });
    expect(await metricValue(service.app, 'inventory_releases_total', { cause: 'cancelled' })).toBe(before + 1);
  });

  it('when order.confirmed is handled twice, then the reservation is confirmed, the units stay reserved and the hold is committed', async () => {
    const sku = await seedStock(service.app, 5);
    const event = orderCreated([{ sku, quantity: 2 }]);
    await handleOrderCreated(event, deps);

    await handleOrderConfirmed(confirmed(event.payload.orderId), deps);
    await handleOrderConfirmed(confirmed(event.payload.orderId), deps);

    expect(await storedReservation(service.app, event.payload.orderId)).toMatchObject({
      status: 'CONFIRMED',
      commitPending: false,
    });
    // The record carries holds of orders in flight only: one per confirmed order would grow it without bound.
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 3, reserved: 2, holds: [] });
  });

  it('when many orders of one sku are confirmed, then its record keeps no hold of theirs', async () => {
    const sku = await seedStock(service.app, 100);
    const orders = Array.from({ length: 20 }, () => orderCreated([{ sku, quantity: 1 }]));
    const inFlight = orderCreated([{ sku, quantity: 3 }]);

    for (const event of [...orders, inFlight]) await handleOrderCreated(event, deps);
    for (const event of orders) await handleOrderConfirmed(confirmed(event.payload.orderId), deps);

    expect(await storedStock(service.app, sku)).toMatchObject({
      available: 77,
      reserved: 23,
      holds: [{ orderId: inFlight.payload.orderId, quantity: 3 }],
    });
  });

  it('when a confirmed order is cancelled twice, then its units are given back once', async () => {
    const sku = await seedStock(service.app, 5);
    const event = orderCreated([{ sku, quantity: 2 }]);
    const { orderId } = event.payload;
    await handleOrderCreated(event, deps);
    await handleOrderConfirmed(confirmed(orderId), deps);

    await handleOrderCancelled(cancelled(orderId), deps);
    await handleOrderCancelled(cancelled(orderId), deps);
    await sweepReservations(deps);

    expect(await storedReservation(service.app, orderId)).toMatchObject({
      status: 'RELEASED',
      releasedFrom: 'CONFIRMED',
      releasePending: false,
    });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0, holds: [] });
  });

  it('when returns are older than the retention, then they are pruned, and younger ones kept', async () => {
    const sku = await seedStock(service.app, 5);
    const event = orderCreated([{ sku, quantity: 1 }]);
    const { orderId } = event.payload;
    await handleOrderCreated(event, deps);
    await handleOrderConfirmed(confirmed(orderId), deps);
    await handleOrderCancelled(cancelled(orderId), deps);
    expect((await storedStock(service.app, sku))?.returns).toMatchObject([{ orderId }]);

    await deps.stock.pruneReturns(new Date(Date.now() - 60_000));
    expect((await storedStock(service.app, sku))?.returns).toHaveLength(1);
    // Other tests' returns are in the same collection: at least this one is pruned.
    expect(await deps.stock.pruneReturns(new Date(Date.now() + 1_000))).toBeGreaterThanOrEqual(1);
    expect((await storedStock(service.app, sku))?.returns ?? []).toEqual([]);
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0 });
  });

  it('when 50 orders of one unit are handled at once for the last 10 units, then exactly 10 hold one', async () => {
    const sku = await seedStock(service.app, 10);
    const orders = Array.from({ length: 50 }, () => orderCreated([{ sku, quantity: 1 }]));

    await Promise.all(orders.map((event) => handleOrderCreated(event, deps)));

    const statuses = await service.app.mongo
      .collection('reservations')
      .find({ orderId: { $in: orders.map((o) => o.payload.orderId) } })
      .toArray();
    expect(statuses.filter((r) => r.status === 'RESERVED')).toHaveLength(10);
    expect(statuses.filter((r) => r.status === 'REJECTED')).toHaveLength(40);
    const stock = await storedStock(service.app, sku);
    expect(stock).toMatchObject({ available: 0, reserved: 10 });
    expect(stock?.holds).toHaveLength(10);
  });

  describe('after a crash', () => {
    /** What a delivery that died after holding some lines leaves behind: a PENDING reservation and its holds. */
    async function crashAfterHolding(
      event: ReturnType<typeof orderCreated>,
      held: Array<{ sku: string; quantity: number }>,
    ) {
      const { orderId } = event.payload;
      const lines = event.payload.lines.map(({ sku, quantity }) => ({ sku, quantity }));
      const now = new Date();
      await deps.reservations.claim(orderId, lines, {
        owner: 'crashed-delivery',
        now,
        until: new Date(now.getTime() + 5_000),
      });
      for (const line of held) await deps.stock.reserve(line.sku, orderId, line.quantity);
    }

    it('when the redelivery finds a line already held, then it holds it once and reserves the order', async () => {
      const [a, b] = [await seedStock(service.app, 6), await seedStock(service.app, 5)];
      // Other orders' holds on the same record: the check for this order's own must look at every one.
      await handleOrderCreated(orderCreated([{ sku: a, quantity: 1 }]), deps);
      const event = orderCreated([
        { sku: a, quantity: 2 },
        { sku: b, quantity: 1 },
      ]);
      await crashAfterHolding(event, [{ sku: a, quantity: 2 }]);
      await handleOrderCreated(orderCreated([{ sku: a, quantity: 1 }]), deps);

      await handleOrderCreated(event, later());

      expect(await storedReservation(service.app, event.payload.orderId)).toMatchObject({ status: 'RESERVED' });
      expect(await storedStock(service.app, a)).toMatchObject({ available: 2, reserved: 4 });
      expect((await storedStock(service.app, a))?.holds).toHaveLength(3);
      expect(await storedStock(service.app, b)).toMatchObject({ available: 4, reserved: 1 });
    });

    it('when the crash came before compensating a failed line, then the redelivery gives the held line back', async () => {
      const [a, b] = [await seedStock(service.app, 5), await seedStock(service.app, 0)];
      const event = orderCreated([
        { sku: a, quantity: 2 },
        { sku: b, quantity: 1 },
      ]);
      await crashAfterHolding(event, [{ sku: a, quantity: 2 }]);

      await handleOrderCreated(event, later());

      expect(await storedReservation(service.app, event.payload.orderId)).toMatchObject({ status: 'REJECTED' });
      expect(await storedStock(service.app, a)).toMatchObject({ available: 5, reserved: 0, holds: [] });
    });

    it('when another delivery still holds the lease, then this one backs off with RESERVATION_BUSY', async () => {
      const sku = await seedStock(service.app, 5);
      const event = orderCreated([{ sku, quantity: 1 }]);
      await crashAfterHolding(event, []);

      await expect(handleOrderCreated(event, deps)).rejects.toMatchObject({ code: 'RESERVATION_BUSY' });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0 });
    });

    it('when the order is cancelled while its lines are held, then the lease holder releases instead of reserving', async () => {
      const sku = await seedStock(service.app, 5);
      const event = orderCreated([{ sku, quantity: 2 }]);
      await crashAfterHolding(event, [{ sku, quantity: 2 }]);

      await handleOrderCancelled(cancelled(event.payload.orderId), deps);
      expect(await storedReservation(service.app, event.payload.orderId)).toMatchObject({
        status: 'PENDING',
        cancelRequested: true,
      });
      await handleOrderCreated(event, later());

      expect(await storedReservation(service.app, event.payload.orderId)).toMatchObject({ status: 'RELEASED' });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0, holds: [] });
    });

    it('when the order is cancelled after its delivery died, then the cancel releases what it held', async () => {
      const sku = await seedStock(service.app, 5);
      const event = orderCreated([{ sku, quantity: 2 }]);
      await crashAfterHolding(event, [{ sku, quantity: 2 }]);

      await handleOrderCancelled(cancelled(event.payload.orderId), later());

      expect(await storedReservation(service.app, event.payload.orderId)).toMatchObject({ status: 'RELEASED' });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0, holds: [] });
      await handleOrderCreated(event, later());
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0 });
    });

    it('when a release crashed before giving the stock back, then the cancel redelivery finishes it', async () => {
      const sku = await seedStock(service.app, 5);
      const event = orderCreated([{ sku, quantity: 2 }]);
      await handleOrderCreated(event, deps);
      const { orderId } = event.payload;
      await deps.reservations.release(orderId, { from: 'RESERVED' }, 'cancelled');
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 3, reserved: 2 });

      await handleOrderCancelled(cancelled(orderId), deps);

      expect(await storedReservation(service.app, orderId)).toMatchObject({
        status: 'RELEASED',
        releasePending: false,
      });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0, holds: [] });
    });

    /** A confirmation that died after the status change: CONFIRMED, commitPending, the hold still on the record. */
    async function crashAfterConfirming(sku: string, quantity: number): Promise<string> {
      const event = orderCreated([{ sku, quantity }]);
      await handleOrderCreated(event, deps);
      const confirmedReservation = await deps.reservations.confirm(event.payload.orderId);
      expect(confirmedReservation).toMatchObject({ status: 'CONFIRMED', commitPending: true });
      expect((await storedStock(service.app, sku))?.holds).toHaveLength(1);
      return event.payload.orderId;
    }

    it('when a confirmation crashed before committing, then the sweeper commits the hold and the units stay reserved', async () => {
      const sku = await seedStock(service.app, 5);
      const orderId = await crashAfterConfirming(sku, 2);

      await sweepReservations(deps);

      expect(await storedReservation(service.app, orderId)).toMatchObject({
        status: 'CONFIRMED',
        commitPending: false,
      });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 3, reserved: 2, holds: [] });
    });

    it('when a confirmation crashed before committing, then its redelivery commits the hold', async () => {
      const sku = await seedStock(service.app, 5);
      const orderId = await crashAfterConfirming(sku, 2);

      await handleOrderConfirmed(confirmed(orderId), deps);

      expect(await storedReservation(service.app, orderId)).toMatchObject({
        status: 'CONFIRMED',
        commitPending: false,
      });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 3, reserved: 2, holds: [] });
    });

    it('when an order is cancelled before its confirmation finished committing, then its units are given back once', async () => {
      const sku = await seedStock(service.app, 5);
      const orderId = await crashAfterConfirming(sku, 2);

      await handleOrderCancelled(cancelled(orderId), deps);
      await sweepReservations(deps);
      await handleOrderConfirmed(confirmed(orderId), deps);
      await handleOrderCancelled(cancelled(orderId), deps);

      expect(await storedReservation(service.app, orderId)).toMatchObject({
        status: 'RELEASED',
        releasePending: false,
      });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0, holds: [] });
    });
  });
});
