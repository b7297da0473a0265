import { EventTypes } from '@platform/events';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

/** What the gateway tells SSE clients, and what travels on Redis between replicas. */
export interface OrderStatusUpdate {
  orderId: string;
  status: OrderStatus;
  /** When the change happened (the event's occurredAt); absent for the status read at connection time. */
  occurredAt?: string;
  /** Why an order was rejected, as the order service put it. */
  reason?: string;
}

/** The status each order event type announces. */
export const statusByEventType: Readonly<Record<string, OrderStatus>> = {
  [EventTypes.OrderCreated]: 'PENDING',
  [EventTypes.OrderConfirmed]: 'CONFIRMED',
  [EventTypes.OrderRejected]: 'REJECTED',
  [EventTypes.OrderCancelled]: 'CANCELLED',
};

/** The order service's life cycle: PENDING -> CONFIRMED | REJECTED | CANCELLED, and CONFIRMED -> CANCELLED. */
const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['CONFIRMED', 'REJECTED', 'CANCELLED'],
  CONFIRMED: ['CANCELLED'],
  REJECTED: [],
  CANCELLED: [],
};

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && value in NEXT;
}

/**
 * Whether a stream that last showed `shown` should show `next`. Events arrive at least once and may trail the
 * status read when the stream opened, so repeats and steps backwards (a late order.created) are dropped.
 */
export function isProgress(shown: OrderStatus, next: OrderStatus): boolean {
  return NEXT[shown].includes(next);
}

/** Nothing can follow REJECTED or CANCELLED, so a stream closes after showing one. */
export function isFinal(status: OrderStatus): boolean {
  return NEXT[status].length === 0;
}

export function orderStatusChannel(orderId: string): string {
  return `order-status:${orderId}`;
}
