import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { eventCatalogue } from '@platform/events';
import type { MessageContext } from '@platform/kit';
import type { FinaliseDeps } from '../domain/finalise-order';
import { handleInventoryRejected } from './inventory-rejected';
import { handleInventoryReserved } from './inventory-reserved';

export const CONSUMER_GROUP = 'order-service';

/** Inventory's answers to order.created; the consumer starts when the app is ready. */
async function consumersPlugin(app: FastifyInstance): Promise<void> {
  const depsFor = (context: MessageContext): FinaliseDeps => ({
    orders: app.orderRepository,
    metrics: app.orderMetrics,
    logger: context.logger,
  });

  app.kafka.addConsumer({
    groupId: CONSUMER_GROUP,
    // No processed-event marks: each answer is one conditional transition out of PENDING, so a redelivery changes
    // nothing. A mark would cost two database round trips on every event to save one on the rare redelivery.
    deduplicate: false,
    catalogue: eventCatalogue,
    handlers: {
      'inventory.reserved': (event, context) => handleInventoryReserved(event, depsFor(context)),
      'inventory.rejected': (event, context) => handleInventoryRejected(event, depsFor(context)),
    },
  });
}

export const consumers = fp(consumersPlugin, {
  name: 'order-consumers',
  dependencies: ['kit-kafka', 'order-repositories', 'order-metrics'],
});
