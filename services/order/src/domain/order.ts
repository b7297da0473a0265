import type { OrderLineV1 } from '@platform/events';

export const OrderStatus = {
  Pending: 'PENDING',
  Confirmed: 'CONFIRMED',
  Rejected: 'REJECTED',
  Cancelled: 'CANCELLED',
} as const;

export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export const ORDER_STATUSES: readonly OrderStatus[] = Object.values(OrderStatus);

/** A line as priced when the order was placed: later price changes never alter an accepted order. */
export type OrderLine = OrderLineV1;

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  lines: OrderLine[];
  currency: string;
  totalMinor: number;
  /** Set when inventory could not reserve the lines. */
  rejectionReason?: string;
  /** Who cancelled it: the owner or an admin. */
  cancelledBy?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The caller, as proven by the access token. */
export interface Actor {
  userId: string;
  role: 'customer' | 'admin';
}

/** Owners see their orders, admins see all; to anyone else an order does not exist. */
export function canSee(actor: Actor, order: Pick<Order, 'userId'>): boolean {
  return actor.role === 'admin' || actor.userId === order.userId;
}
