import { eventCatalogue, EventTypes, Topics, type EventPayloads } from '@platform/events';
import type { EventEnvelope, EventHandler } from '@platform/kit';
import type { FastifyInstance } from 'fastify';
import type { ConsumerConfig } from 'kafkajs';
import { statusByEventType, type OrderStatusUpdate } from '../domain/order-status';

type OrderEventType = (typeof EventTypes)['OrderCreated' | 'OrderConfirmed' | 'OrderRejected' | 'OrderCancelled'];
type OrderEventPayload = EventPayloads[OrderEventType];

/** The topics the gateway consumes (and creates, with their .dlq, at start). */
export const gatewayTopics = [Topics.Orders];

export interface OrderStatusDeps {
  publish(update: OrderStatusUpdate): Promise<void>;
}

/**
 * Turns an order event into a status update for every replica's SSE clients. Idempotent by nature: a redelivered
 * event publishes the same update again, and streams drop updates that are not progress (see isProgress).
 */
export async function handleOrderEvent(event: EventEnvelope<OrderEventPayload>, deps: OrderStatusDeps): Promise<void> {
  const { payload } = event;
  const update: OrderStatusUpdate = {
    orderId: payload.orderId,
    status: statusByEventType[event.type]!,
    occurredAt: event.occurredAt,
    ...('reason' in payload ? { reason: payload.reason } : {}),
  };
  await deps.publish(update);
}

export interface OrderStatusConsumerOptions {
  consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
}

/**
 * ONE consumer group for all gateway replicas: each event is handled by one of them, which fans it out through
 * Redis pub/sub to the replica that holds the client's SSE connection (any replica may).
 */
export async function orderStatusConsumer(app: FastifyInstance, options: OrderStatusConsumerOptions): Promise<void> {
  const deps: OrderStatusDeps = { publish: (update) => app.orderStatus.publish(update) };
  const handle: EventHandler<OrderEventPayload> = (event) => handleOrderEvent(event, deps);
  app.kafka.addConsumer({
    groupId: 'gateway',
    // Idempotent by nature (see handleOrderEvent): a processed-event mark would cost more than a repeated update.
    deduplicate: false,
    consumerConfig: options.consumerConfig,
    catalogue: eventCatalogue,
    handlers: {
      [EventTypes.OrderCreated]: handle,
      [EventTypes.OrderConfirmed]: handle,
      [EventTypes.OrderRejected]: handle,
      [EventTypes.OrderCancelled]: handle,
    },
  });
}
