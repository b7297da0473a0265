import { Topics, type OrderConfirmedV1 } from '@platform/events';
import { createEvent } from '@platform/kit';
import { objectIdHex, waitFor } from '@platform/test-kit';
import { handleOrderConfirmed, handleOrderCreated } from '../../src/consumers/order-events';
import { sweepReservations } from '../../src/domain/sweep-reservations';
import { metricValue, orderCreated, seedStock, storedReservation, storedStock } from '../helpers/factories';
import { startInventory, type InventoryHarness } from '../helpers/service';

describe('reservation sweeper', () => {
  let service: InventoryHarness;

  beforeAll(async () => {
    service = await startInventory({ RESERVATION_TTL_MS: '1000', RESERVATION_SWEEP_INTERVAL_MS: '100' });
  });
  afterAll(() => service?.close());

  const released = async (orderId: string) => (await storedReservation(service.app, orderId))?.status === 'RELEASED';

  it('when a reservation is not confirmed in time, then the sweeper gives its stock back', async () => {
    const sku = await seedStock(service.app, 5);
    const before = await metricValue(service.app, 'inventory_releases_total', { cause: 'expired' });
    const event = orderCreated([{ sku, quantity: 2 }]);
    await service.publish(Topics.OrderCreated, event, event.payload.orderId);
    expect((await service.outcomeFor(event.payload.orderId)).topic).toBe('inventory.reserved');

    await waitFor(() => released(event.payload.orderId), { what: 'the expired reservation to be released' });
    expect(await storedReservation(service.app, event.payload.orderId)).toMatchObject({ releaseCause: 'expired' });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0, holds: [] });
    expect(await metricValue(service.app, 'inventory_releases_total', { cause: 'expired' })).toBe(before + 1);
  });

  it('when a reservation was confirmed, then the sweeper leaves it alone', async () => {
    const sku = await seedStock(service.app, 5);
    const kept = orderCreated([{ sku, quantity: 1 }]);
    await handleOrderCreated(kept, service.app.inventory);
    const confirmed = createEvent<OrderConfirmedV1>(Topics.OrderConfirmed, {
      orderId: kept.payload.orderId,
      userId: objectIdHex(),
    });
    await handleOrderConfirmed(confirmed, service.app.inventory);
    // Reserved after the confirmed one, so it expires later: once it is swept, the first one was past due too.
    const swept = orderCreated([{ sku, quantity: 1 }]);
    await handleOrderCreated(swept, service.app.inventory);

    await waitFor(() => released(swept.payload.orderId), { what: 'the later reservation to be released' });
    expect(await storedReservation(service.app, kept.payload.orderId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 4, reserved: 1 });
  });

  it('when several sweepers run at once, then each reservation is released once', async () => {
    const sku = await seedStock(service.app, 20);
    const before = await metricValue(service.app, 'inventory_releases_total', { cause: 'expired' });
    const orders = Array.from({ length: 20 }, () => orderCreated([{ sku, quantity: 1 }]));
    await Promise.all(orders.map((event) => handleOrderCreated(event, service.app.inventory)));
    // On a loaded machine the app's own sweeper may already have released the first ones (1 s TTL).
    const stock = (await storedStock(service.app, sku)) as { available: number; reserved: number };
    expect(stock.available + stock.reserved).toBe(20);

    // The app's own loop plus three more passes racing it, as replicas would.
    await waitFor(
      async () => {
        await Promise.all([1, 2, 3].map(() => sweepReservations(service.app.inventory)));
        return (await Promise.all(orders.map((o) => released(o.payload.orderId)))).every(Boolean);
      },
      { what: 'every reservation to be released' },
    );

    expect(await storedStock(service.app, sku)).toMatchObject({ available: 20, reserved: 0, holds: [] });
    expect(await metricValue(service.app, 'inventory_releases_total', { cause: 'expired' })).toBe(before + 20);
  });

  it('when a release was interrupted before the stock went back, then the next sweep finishes it', async () => {
    const sku = await seedStock(service.app, 3);
    const event = orderCreated([{ sku, quantity: 3 }]);
    await handleOrderCreated(event, service.app.inventory);
    await handleOrderConfirmed(
      createEvent<OrderConfirmedV1>(Topics.OrderConfirmed, { orderId: event.payload.orderId, userId: objectIdHex() }),
      service.app.inventory,
    );
    // What a crash right after the status change leaves: RELEASED, but the units still held.
    await service.app.repositories.reservations.release(event.payload.orderId, { from: ['CONFIRMED'] }, 'cancelled');

    await waitFor(async () => (await storedReservation(service.app, event.payload.orderId))?.releasePending === false, {
      what: 'the sweeper to finish the release',
    });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 3, reserved: 0, holds: [] });
  });
});
