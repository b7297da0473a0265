import { MatchersV3 } from '@pact-foundation/pact';
import pino from 'pino';
import { Registry } from 'prom-client';
import { EventTypes } from '@platform/events';
import { objectIdHex } from '@platform/test-kit';
import {
  consumerPact,
  eventExample,
  eventMessage,
  eventMetadata,
  isoInstant,
  objectIdLike,
  participants,
  problemBody,
  problemContentType,
  receivedEvent,
} from '@platform/test-kit/pact';
import { createProductClient } from '../../src/clients/product-client';
import { handleInventoryRejected } from '../../src/consumers/inventory-rejected';
import { handleInventoryReserved } from '../../src/consumers/inventory-reserved';
import { startOrderApp, type TestApp } from '../helpers/app';
import { placeOrderOk } from '../helpers/orders';
import { startProductStub, type ProductStub } from '../helpers/product-stub';

const { like, integer, regex } = MatchersV3;

/**
 * The order service as consumer: of the product service's product read (the real product client against a Pact
 * mock server), and of inventory's answers (message pacts through the real handlers and database).
 */
describe('order-service -> product-service (consumer pact)', () => {
  const pact = consumerPact(participants.order, participants.product);
  const product = {
    id: '6650f0c2a1b2c3d4e5f60718',
    sku: 'MUG-BLUE-01',
    name: 'Blue mug',
    category: 'kitchen',
    priceMinor: 1250,
    currency: 'EUR',
  };
  const client = (url: string) =>
    createProductClient({
      baseUrl: url,
      timeoutMs: 2_000,
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
    });

  it('when the product exists, then the order is priced from its id, sku, price and currency', async () => {
    await pact
      .addInteraction()
      .given('a product with sku MUG-BLUE-01')
      .uponReceiving('a read of a product to price an order')
      .withRequest('GET', MatchersV3.fromProviderState('/products/${productId}', `/products/${product.id}`))
      .willRespondWith(200, (b) =>
        b.jsonBody({
          id: objectIdLike(product.id),
          sku: regex('^[A-Z0-9][A-Z0-9-]{1,39}$', product.sku),
          name: like(product.name),
          category: like(product.category),
          priceMinor: integer(product.priceMinor),
          currency: regex('^[A-Z]{3}$', product.currency),
          createdAt: isoInstant('2026-11-29T10:00:00.000Z'),
        }),
      )
      .executeTest(async (server) => {
        const http = client(server.url);
        try {
          const found = await http.findProducts([product.id]);
          expect(found.get(product.id)).toEqual({
            id: product.id,
            sku: product.sku,
            priceMinor: product.priceMinor,
            currency: product.currency,
          });
        } finally {
          await http.close();
        }
      });
  });

  it('when the product does not exist, then it is absent (the order is refused, not failed)', async () => {
    await pact
      .addInteraction()
      .uponReceiving('a read of a product that does not exist, to price an order')
      .withRequest('GET', '/products/000000000000000000000000')
      .willRespondWith(404, (b) =>
        b.jsonBody(problemBody('PRODUCT_NOT_FOUND', 404)).headers({ 'Content-Type': problemContentType }),
      )
      .executeTest(async (server) => {
        const http = client(server.url);
        try {
          expect((await http.findProducts(['000000000000000000000000'])).size).toBe(0);
        } finally {
          await http.close();
        }
      });
  });
});

describe('order-service consuming inventory answers (message pacts)', () => {
  let stub: ProductStub;
  let t: TestApp;
  let customer: { authorization: string };

  beforeAll(async () => {
    stub = await startProductStub();
    t = await startOrderApp({ PRODUCT_SERVICE_URL: stub.url });
    customer = await t.authHeader({ userId: objectIdHex() });
  });
  afterAll(async () => {
    await t?.app.close();
    await stub?.close();
  });

  const cases = [
    [EventTypes.InventoryReserved, 'CONFIRMED', handleInventoryReserved],
    [EventTypes.InventoryRejected, 'REJECTED', handleInventoryRejected],
  ] as const;

  it.each(cases)('when %s arrives for a PENDING order, then the order becomes %s', async (type, status, handle) => {
    const product = stub.add({ sku: 'MUG-BLUE-01' });
    const order = await placeOrderOk(t, customer, { lines: [{ productId: product.id, quantity: 2 }] });
    await consumerPact(participants.order, participants.inventory)
      .addAsynchronousInteraction()
      .expectsToReceive(`an ${type} event`, (b) =>
        b.withJSONContent(eventMessage(type, eventExample(type))).withMetadata(eventMetadata(type)),
      )
      .executeTest(async (message) => {
        const event = receivedEvent<{ orderId: string }>(message.contents.content);
        // The pact's example order is this test's order: the handler must find it.
        const ours = { ...event, payload: { ...event.payload, orderId: order.id } };
        await handle(
          ours as never,
          { orders: t.app.orderRepository, metrics: t.app.orderMetrics, logger: t.app.log } as never,
        );
        expect((await t.app.orderRepository.findById(order.id))?.status).toBe(status);
      });
  });
});
