import { payloadSchemas, Topics, type EventTopics } from '@platform/events';
import type { EventEnvelope, TopicHandler } from '@platform/kit';
import type { FastifyInstance } from 'fastify';
import type { ConsumerConfig } from 'kafkajs';
import { statusByTopic, type OrderStatusUpdate } from '../domain/order-status';

type OrderTopic = 'order.created' | 'order.confirmed' | 'order.rejected' | 'order.cancelled';
export const orderTopics: readonly OrderTopic[] = [
  Topics.OrderCreated,
  Topics.OrderConfirmed,
  Topics.OrderRejected,
  Topics.OrderCancelled,
];

export interface OrderStatusDeps {
  publish(update: OrderStatusUpdate): Promise<void>;
}

/**
 * Turns an order event into a status update for every replica's SSE clients. Idempotent by nature: a redelivered
 * event publishes the same update again, and streams drop updates that are not progress (see isProgress).
 */
export async function handleOrderEvent<T extends OrderTopic>(
  topic: T,
  event: EventEnvelope<EventTopics[T]>,
  deps: OrderStatusDeps,
): Promise<void> {
  const payload = event.payload as EventTopics[OrderTopic];
  const update: OrderStatusUpdate = {
    orderId: payload.orderId,
    status: statusByTopic[topic]!,
    occurredAt: event.occurredAt,
    ...('reason' in payload ? { reason: payload.reason } : {}),
  };
  await deps.publish(update);
}

function handlerFor<T extends OrderTopic>(topic: T, deps: OrderStatusDeps): TopicHandler<EventTopics[T]> {
  return {
    schema: payloadSchemas[topic],
    handle: (event) => handleOrderEvent(topic, event, deps),
  };
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
  app.kafka.addConsumer({
    groupId: 'gateway',
    consumerConfig: options.consumerConfig,
    handlers: Object.fromEntries(orderTopics.map((topic) => [topic, handlerFor(topic, deps)])) as {
      [T in OrderTopic]: TopicHandler<EventTopics[T]>;
    },
  });
}
