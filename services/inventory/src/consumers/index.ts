import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { eventCatalogue } from '@platform/events';
import type { EventEnvelope, MessageContext } from '@platform/kit';
import type { InventoryDeps } from '../domain/ports';
import { handleOrderCancelled, handleOrderConfirmed, handleOrderCreated, handleOrderRejected } from './order-events';
import { handleProductCreated, handleProductDeleted } from './product-events';

export const CONSUMER_GROUP = 'inventory-service';

type Handler<T> = (event: EventEnvelope<T>, deps: InventoryDeps) => Promise<void>;

async function consumersPlugin(app: FastifyInstance): Promise<void> {
  /** Binds a pure handler to the app's dependencies, logging through the event's own logger. */
  function adapt<T>(handler: Handler<T>) {
    return function handle(event: EventEnvelope<T>, context: MessageContext): Promise<void> {
      return handler(event, { ...app.inventory, log: context.logger });
    };
  }

  app.kafka.addConsumer({
    groupId: CONSUMER_GROUP,
    // No processed-event marks: every handler is idempotent on its own (holds keyed by order, conditional status
    // changes; see order-events.ts), so a mark would cost two database round trips on every event to save work only
    // on the rare redelivery.
    deduplicate: false,
    catalogue: eventCatalogue,
    // The products and orders topics; product.updated, the one type of theirs not handled here, is skipped.
    handlers: {
      'product.created': adapt(handleProductCreated),
      'product.deleted': adapt(handleProductDeleted),
      'order.created': adapt(handleOrderCreated),
      'order.cancelled': adapt(handleOrderCancelled),
      'order.confirmed': adapt(handleOrderConfirmed),
      'order.rejected': adapt(handleOrderRejected),
    },
  });
}

export const consumers = fp(consumersPlugin, {
  name: 'inventory-consumers',
  dependencies: ['kit-kafka', 'inventory-deps'],
});
