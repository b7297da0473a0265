import { eventCatalogue, EventTypes, type EventPayloads } from '@platform/events';
import { eventEntry, type OutboxEntry } from '@platform/kit/core';
import type { Order } from './order';
import type { NewOrder } from './ports';

type OrderEventType = (typeof EventTypes)['OrderCreated' | 'OrderConfirmed' | 'OrderRejected' | 'OrderCancelled'];

/**
 * The outbox entry of one order event: on the orders topic keyed by order id, so all events of an order are
 * consumed in order. A payload that breaks its contract throws (our bug): failing the write beats publishing
 * what consumers dead-letter.
 */
function orderEvent<T extends OrderEventType>(type: T, orderId: string, payload: EventPayloads[T]): OutboxEntry {
  return eventEntry(eventCatalogue, type, orderId, payload);
}

export function orderCreated(order: NewOrder): OutboxEntry {
  return orderEvent(EventTypes.OrderCreated, order.id, {
    orderId: order.id,
    userId: order.userId,
    lines: order.lines,
    totalMinor: order.totalMinor,
    currency: order.currency,
  });
}

export function orderConfirmed(order: Order): OutboxEntry {
  return orderEvent(EventTypes.OrderConfirmed, order.id, { orderId: order.id, userId: order.userId });
}

export function orderRejected(order: Order, reason: string): OutboxEntry {
  return orderEvent(EventTypes.OrderRejected, order.id, { orderId: order.id, userId: order.userId, reason });
}

export function orderCancelled(order: Order, cancelledBy: string): OutboxEntry {
  if (order.status !== 'PENDING' && order.status !== 'CONFIRMED') {
    throw new Error(`order ${order.id} is ${order.status}: it cannot be cancelled`);
  }
  return orderEvent(EventTypes.OrderCancelled, order.id, {
    orderId: order.id,
    userId: order.userId,
    previousStatus: order.status,
    cancelledBy,
  });
}
