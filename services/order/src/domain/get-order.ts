import { OrderNotFound } from '../errors';
import { canSee, type Actor, type Order } from './order';
import type { OrderRepository } from './ports';

/** The order if the actor may see it; a 404 otherwise, so nobody learns that someone else's order exists. */
export async function getOrder(actor: Actor, orderId: string, orders: OrderRepository): Promise<Order> {
  const order = await orders.findById(orderId);
  if (!order || !canSee(actor, order)) throw OrderNotFound(`no order ${orderId}`);
  return order;
}
