import { eventCatalogue, type EventType } from '@platform/events';
import { objectIdHex, waitFor } from '@platform/test-kit';
import {
  createCallerSwap,
  listenForVerification,
  participants,
  publishedMessage,
  verifyProvider,
} from '@platform/test-kit/pact';
import { startOrderApp, type TestApp } from '../helpers/app';
import { startEventPublisher, startEventRecorder, type EventPublisher, type EventRecorder } from '../helpers/kafka';
import { placeOrderOk, waitUntilRelayed } from '../helpers/orders';
import { startProductStub, type ProductStub } from '../helpers/product-stub';

/**
 * The order service verified against its consumers' pacts (gateway: HTTP and order events; inventory: order
 * events): the real app on a real database and Kafka, the product service replaced by its stub (its own contract
 * with the order service is verified on the product side). Order events are the ones the app really published after
 * a real placement, cancellation or inventory answer.
 */
describe('order-service provider verification', () => {
  let stub: ProductStub;
  let t: TestApp;
  let url: string;
  let recorder: EventRecorder;
  let publisher: EventPublisher;
  const caller = createCallerSwap();

  beforeAll(async () => {
    stub = await startProductStub();
    t = await startOrderApp({ PRODUCT_SERVICE_URL: stub.url });
    url = await listenForVerification(t.app);
    const prefix = t.config.KAFKA_TOPIC_PREFIX;
    recorder = await startEventRecorder(prefix, [
      'order.created',
      'order.confirmed',
      'order.rejected',
      'order.cancelled',
    ]);
    publisher = await startEventPublisher(prefix);
  });
  afterAll(async () => {
    await publisher?.close();
    await recorder?.close();
    await t?.app.close();
    await stub?.close();
  });

  /** A customer of their own, acting from now on; returns the authorization header for seeding. */
  async function customer() {
    const userId = objectIdHex();
    caller.actAs(await t.issuer.token({ userId, role: 'customer' }));
    return t.authHeader({ userId });
  }

  async function pendingOrder(owner: { authorization: string }) {
    const product = stub.add();
    return placeOrderOk(t, owner, { lines: [{ productId: product.id, quantity: 2 }] });
  }

  /** The event of this type the app published for the order, with the topic it went to. */
  async function published(type: EventType, orderId: string) {
    const [event] = await waitFor(
      () => recorder.forOrder(type, orderId).length > 0 && recorder.forOrder(type, orderId),
      {
        what: `${type} of ${orderId}`,
        timeoutMs: 30_000,
      },
    );
    const prefix = t.config.KAFKA_TOPIC_PREFIX;
    return publishedMessage(event!.event, `${prefix}${eventCatalogue[type].topic}`, prefix);
  }

  it('honours every pact in which it is the provider', async () => {
    await verifyProvider({
      provider: participants.order,
      providerBaseUrl: url,
      requestFilter: caller.requestFilter,
      stateHandlers: {
        'a customer with a session and a product in the catalogue': async () => {
          await customer();
          return { productId: stub.add().id };
        },
        'a customer with a session and a PENDING order': async () => {
          return { orderId: (await pendingOrder(await customer())).id };
        },
        'a customer with a session and an order of another customer': async () => {
          const other = await pendingOrder(await customer());
          await customer();
          return { orderId: other.id };
        },
      },
      messageProviders: {
        'an order.created event': async () => {
          const order = await pendingOrder(await customer());
          return published('order.created', order.id);
        },
        'an order.confirmed event': async () => {
          const order = await pendingOrder(await customer());
          await waitUntilRelayed(t, order.id);
          await publisher.publish('inventory.reserved', {
            orderId: order.id,
            lines: order.lines.map(({ sku, quantity }) => ({ sku, quantity })),
          });
          return published('order.confirmed', order.id);
        },
        'an order.rejected event': async () => {
          const order = await pendingOrder(await customer());
          await waitUntilRelayed(t, order.id);
          await publisher.publish('inventory.rejected', {
            orderId: order.id,
            lines: [{ sku: order.lines[0]!.sku, requested: 2, available: 0, reason: 'INSUFFICIENT_STOCK' }],
          });
          return published('order.rejected', order.id);
        },
        'an order.cancelled event': async () => {
          const owner = await customer();
          const order = await pendingOrder(owner);
          const cancelled = await t.app.inject({ method: 'POST', url: `/orders/${order.id}/cancel`, headers: owner });
          if (cancelled.statusCode !== 200)
            throw new Error(`cancel answered ${cancelled.statusCode}: ${cancelled.body}`);
          return published('order.cancelled', order.id);
        },
      },
    });
  });
});
