import { setTimeout as sleep } from 'node:timers/promises';
import { EventTypes, type OrderConfirmedV1 } from '@platform/events';
import { createEvent } from '@platform/kit';
import { objectIdHex, waitFor } from '@platform/test-kit';
import { handleOrderConfirmed, handleOrderCreated } from '../../src/consumers/order-events';
import { sweepReservations } from '../../src/domain/sweep-reservations';
import { orderCreated, seedStock, storedReservation, storedStock } from '../helpers/factories';
import { startInventory, type InventoryHarness } from '../helpers/service';

describe('reservation sweeper', () => {
  let service: InventoryHarness;

  beforeAll(async () => {
    service = await startInventory({ RESERVATION_SWEEP_INTERVAL_MS: '100' });
  });
  afterAll(() => service?.close());

  async function confirmed(sku: string, quantity: number): Promise<string> {
    const event = orderCreated([{ sku, quantity }]);
    await handleOrderCreated(event, service.app.inventory);
    const confirm = createEvent<OrderConfirmedV1>(EventTypes.OrderConfirmed, {
      orderId: event.payload.orderId,
      userId: objectIdHex(),
    });
    await handleOrderConfirmed(confirm, service.app.inventory);
    return event.payload.orderId;
  }

  it('when reservations wait, reserved or confirmed, then sweeping never releases them: nothing expires by time', async () => {
    const sku = await seedStock(service.app, 5);
    const reserved = orderCreated([{ sku, quantity: 1 }]);
    await handleOrderCreated(reserved, service.app.inventory);
    const confirmedOrder = await confirmed(sku, 2);
    // As old as can be: the sweeper has no notion of age any more.
    await service.app.mongo
      .collection('reservations')
      .updateMany(
        { orderId: { $in: [reserved.payload.orderId, confirmedOrder] } },
        { $set: { createdAt: new Date(0), updatedAt: new Date(0) } },
      );

    await sleep(500); // several of the app's own passes (every 100 ms)
    await sweepReservations(service.app.inventory);

    expect(await storedReservation(service.app, reserved.payload.orderId)).toMatchObject({ status: 'RESERVED' });
    expect(await storedReservation(service.app, confirmedOrder)).toMatchObject({ status: 'CONFIRMED' });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 2, reserved: 3 });
  });

  it('when a release was interrupted before the stock went back, then the next sweep finishes it', async () => {
    const sku = await seedStock(service.app, 3);
    const orderId = await confirmed(sku, 3);
    // What a crash right after the status change leaves: RELEASED, but the units still held.
    await service.app.repositories.reservations.release(orderId, { from: 'CONFIRMED' }, 'cancelled');

    await waitFor(async () => (await storedReservation(service.app, orderId))?.releasePending === false, {
      what: 'the sweeper to finish the release',
    });
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 3, reserved: 0, holds: [] });
  });

  it('when several sweepers finish the same interrupted releases at once, then each unit goes back once', async () => {
    const sku = await seedStock(service.app, 20);
    const orders = await Promise.all(Array.from({ length: 20 }, () => confirmed(sku, 1)));
    expect(await storedStock(service.app, sku)).toMatchObject({ available: 0, reserved: 20 });
    for (const orderId of orders) {
      await service.app.repositories.reservations.release(orderId, { from: 'CONFIRMED' }, 'cancelled');
    }

    // The app's own loop plus three more passes racing it, as replicas would.
    await waitFor(
      async () => {
        await Promise.all([1, 2, 3].map(() => sweepReservations(service.app.inventory)));
        return (await Promise.all(orders.map((o) => storedReservation(service.app, o)))).every(
          (r) => r?.releasePending === false,
        );
      },
      { what: 'every release to be finished' },
    );

    expect(await storedStock(service.app, sku)).toMatchObject({ available: 20, reserved: 0, holds: [] });
  });
});
