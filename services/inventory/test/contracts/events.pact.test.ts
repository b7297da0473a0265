import { EventTypes } from '@platform/events';
import {
  consumerPact,
  eventExample,
  eventMessage,
  eventMetadata,
  participants,
  receivedEvent,
} from '@platform/test-kit/pact';
import {
  handleOrderCancelled,
  handleOrderConfirmed,
  handleOrderCreated,
  handleOrderRejected,
} from '../../src/consumers/order-events';
import { handleProductCreated, handleProductDeleted } from '../../src/consumers/product-events';
import type { InventoryDeps } from '../../src/domain/ports';
import { seedStock, storedReservation, storedStock } from '../helpers/factories';
import { startInventory, type InventoryHarness } from '../helpers/service';

/**
 * The inventory service as consumer of product and order events (message pacts): each message of the pact goes
 * through the kit's envelope and packages/events validation, then the real handler against the real database,
 * and the test checks what the handler did to the stock.
 */
describe('inventory-service consuming events (message pacts)', () => {
  let service: InventoryHarness;
  let deps: InventoryDeps;

  beforeAll(async () => {
    service = await startInventory();
    deps = service.app.inventory;
  });
  afterAll(() => service?.close());

  const fromProducts = () => consumerPact(participants.inventory, participants.product);
  const fromOrders = () => consumerPact(participants.inventory, participants.order);

  function expectMessage(
    pact: ReturnType<typeof fromOrders>,
    type: (typeof EventTypes)[keyof typeof EventTypes],
    example: Record<string, unknown>,
  ) {
    return pact
      .addAsynchronousInteraction()
      .expectsToReceive(`an ${type} event`, (b) =>
        b.withJSONContent(eventMessage(type, example)).withMetadata(eventMetadata(type)),
      );
  }

  it('when product.created arrives, then the sku gets an empty stock record', async () => {
    const example = eventExample(EventTypes.ProductCreated, { sku: 'PACT-CREATED-01' });
    await expectMessage(fromProducts(), EventTypes.ProductCreated, example).executeTest(async (message) => {
      await handleProductCreated(receivedEvent(message.contents.content) as never, deps);
      expect(await storedStock(service.app, 'PACT-CREATED-01')).toMatchObject({
        available: 0,
        reserved: 0,
        discontinued: false,
      });
    });
  });

  it('when product.deleted arrives, then the sku is discontinued', async () => {
    const example = eventExample(EventTypes.ProductDeleted, { sku: 'PACT-DELETED-01' });
    // The record product.created opened for this very product: deletion matches product id and sku.
    await service.app.repositories.stock.createForProduct({
      sku: 'PACT-DELETED-01',
      productId: String(example.productId),
    });
    await expectMessage(fromProducts(), EventTypes.ProductDeleted, example).executeTest(async (message) => {
      await handleProductDeleted(receivedEvent(message.contents.content) as never, deps);
      expect(await storedStock(service.app, 'PACT-DELETED-01')).toMatchObject({ discontinued: true });
    });
  });

  /** An order.created example for its own order id and sku, with stock to reserve. */
  async function orderOf(orderId: string, sku: string) {
    await seedStock(service.app, 5, sku);
    return eventExample(EventTypes.OrderCreated, {
      orderId,
      lines: [{ productId: '6650f0c2a1b2c3d4e5f60718', sku, quantity: 2, unitPriceMinor: 1250 }],
    });
  }

  it('when order.created arrives, then its lines are reserved', async () => {
    const example = await orderOf('6650f0c2a1b2c3d4e5f60730', 'PACT-ORDER-01');
    await expectMessage(fromOrders(), EventTypes.OrderCreated, example).executeTest(async (message) => {
      await handleOrderCreated(receivedEvent(message.contents.content) as never, deps);
      expect(await storedStock(service.app, 'PACT-ORDER-01')).toMatchObject({ available: 3, reserved: 2 });
    });
  });

  it('when order.confirmed arrives, then the reservation is kept for good', async () => {
    const created = await orderOf('6650f0c2a1b2c3d4e5f60731', 'PACT-ORDER-02');
    await handleOrderCreated(receivedEvent(eventEnvelope(EventTypes.OrderCreated, created)) as never, deps);
    const example = eventExample(EventTypes.OrderConfirmed, { orderId: '6650f0c2a1b2c3d4e5f60731' });
    await expectMessage(fromOrders(), EventTypes.OrderConfirmed, example).executeTest(async (message) => {
      await handleOrderConfirmed(receivedEvent(message.contents.content) as never, deps);
      expect(await storedReservation(service.app, '6650f0c2a1b2c3d4e5f60731')).toMatchObject({ status: 'CONFIRMED' });
    });
  });

  it.each([
    [EventTypes.OrderRejected, '6650f0c2a1b2c3d4e5f60732', 'PACT-ORDER-03', handleOrderRejected],
    [EventTypes.OrderCancelled, '6650f0c2a1b2c3d4e5f60733', 'PACT-ORDER-04', handleOrderCancelled],
  ] as const)('when %s arrives, then the reserved units are given back', async (type, orderId, sku, handle) => {
    const created = await orderOf(orderId, sku);
    await handleOrderCreated(receivedEvent(eventEnvelope(EventTypes.OrderCreated, created)) as never, deps);
    const example = eventExample(type, { orderId });
    await expectMessage(fromOrders(), type, example).executeTest(async (message) => {
      await handle(receivedEvent(message.contents.content) as never, deps);
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 5, reserved: 0 });
    });
  });
});

/** The envelope a producer would write around `payload` (for the setup steps that are not part of the pact). */
function eventEnvelope(type: string, payload: Record<string, unknown>) {
  return {
    id: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    payload,
  };
}
