import { payloadSchemas, schemaVersions, Topics, type EventTopics } from '@platform/events';
import { createEvent, outboxEntry, type OutboxEntry } from '@platform/kit';
import type { Order } from './order';
import type { NewOrder } from './ports';

type OrderTopic = (typeof Topics)['OrderCreated' | 'OrderConfirmed' | 'OrderRejected' | 'OrderCancelled'];

/** The outbox entry of one order event, keyed by order id so all events of an order stay ordered. */
function orderEvent<T extends OrderTopic>(topic: T, orderId: string, payload: EventTopics[T]): OutboxEntry {
  // A payload that breaks its contract is our bug: failing the write beats publishing what consumers dead-letter.
  const { error } = payloadSchemas[topic].validate(payload);
  if (error) throw new Error(`${topic} payload breaks its contract: ${error.message}`);
  return outboxEntry(topic, orderId, createEvent(topic, payload, { version: schemaVersions[topic] }));
}

export function orderCreated(order: NewOrder): OutboxEntry {
  return orderEvent(Topics.OrderCreated, order.id, {
    orderId: order.id,
    userId: order.userId,
    lines: order.lines,
    totalMinor: order.totalMinor,
    currency: order.currency,
  });
}

export function orderConfirmed(order: Order): OutboxEntry {
  return orderEvent(Topics.OrderConfirmed, order.id, { orderId: order.id, userId: order.userId });
}

export function orderRejected(order: Order, reason: string): OutboxEntry {
  return orderEvent(Topics.OrderRejected, order.id, { orderId: order.id, userId: order.userId, reason });
}

export function orderCancelled(order: Order, cancelledBy: string): OutboxEntry {
  if (order.status !== 'PENDING' && order.status !== 'CONFIRMED') {
    throw new Error(`order ${order.id} is ${order.status}: it cannot be cancelled`);
  }
  return orderEvent(Topics.OrderCancelled, order.id, {
    orderId: order.id,
    userId: order.userId,
    previousStatus: order.status,
    cancelledBy,
  });
}
