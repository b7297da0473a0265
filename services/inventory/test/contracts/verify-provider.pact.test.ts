import { Topics } from '@platform/events';
import { objectIdHex } from '@platform/test-kit';
import {
  createCallerSwap,
  listenForVerification,
  participants,
  publishedMessage,
  verifyProvider,
} from '@platform/test-kit/pact';
import { newSku, orderCreated, seedStock } from '../helpers/factories';
import { startInventory, type InventoryHarness } from '../helpers/service';

/**
 * The inventory service verified against its consumers' pacts (gateway: HTTP; order service: inventory events): the
 * real app on a real database and Kafka. Message interactions are answered with the event the app really published
 * after consuming a real order.created.
 */
describe('inventory-service provider verification', () => {
  let service: InventoryHarness;
  let url: string;
  const caller = createCallerSwap();

  beforeAll(async () => {
    service = await startInventory();
    url = await listenForVerification(service.app);
  });
  afterAll(() => service?.close());

  const token = (role: 'customer' | 'admin') => service.issuer.token({ userId: objectIdHex(), role });

  /** Exactly `units` of the sku the pacts name, whatever earlier interactions did to it. */
  async function tenUnits(): Promise<void> {
    await service.app.mongo.collection('stock').deleteOne({ sku: 'MUG-BLUE-01' });
    await seedStock(service.app, 10, 'MUG-BLUE-01');
  }

  /** inventory's answer to an order.created it consumed, as published. */
  async function answerTo(lines: Array<{ sku: string; quantity: number }>) {
    const event = orderCreated(lines);
    await service.publish(event, event.payload.orderId);
    const outcome = await service.outcomeFor(event.payload.orderId);
    return publishedMessage(
      outcome.event,
      `${service.config.KAFKA_TOPIC_PREFIX}${Topics.InventoryReservations}`,
      service.config.KAFKA_TOPIC_PREFIX,
    );
  }

  it('honours every pact in which it is the provider', async () => {
    await verifyProvider({
      provider: participants.inventory,
      providerBaseUrl: url,
      requestFilter: caller.requestFilter,
      stateHandlers: {
        'a customer with a session and 10 units of MUG-BLUE-01': async () => {
          caller.actAs(await token('customer'));
          await tenUnits();
        },
        'an admin with a session and 10 units of MUG-BLUE-01': async () => {
          caller.actAs(await token('admin'));
          await tenUnits();
        },
      },
      messageProviders: {
        'an inventory.reserved event': async () => answerTo([{ sku: await seedStock(service.app, 5), quantity: 2 }]),
        'an inventory.rejected event': async () => answerTo([{ sku: newSku(), quantity: 2 }]),
      },
    });
  });
});
