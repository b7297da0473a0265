import { AuthErrors } from '@platform/kit/core';
import { decodeCursor, encodeCursor } from './cursor';
import type { Actor, OrderStatus } from './order';
import { toOrderView, type OrderView } from './order-view';
import type { OrderRepository } from './ports';

export interface ListOrdersQuery {
  limit: number;
  cursor?: string;
  status?: OrderStatus;
  /** Admins only: one customer's orders. */
  userId?: string;
}

export interface OrderPage {
  items: OrderView[];
  nextCursor: string | null;
}

/** Customers list their own orders; admins list everyone's, or one user's. Newest first. */
export async function listOrders(actor: Actor, query: ListOrdersQuery, orders: OrderRepository): Promise<OrderPage> {
  if (query.userId !== undefined && actor.role !== 'admin') {
    throw AuthErrors.Forbidden('only admins may list the orders of another user');
  }
  const userId = actor.role === 'admin' ? query.userId : actor.userId;
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  // One extra row tells whether another page exists without counting.
  const rows = await orders.list({ userId, status: query.status, after, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toOrderView),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}
