import { OrderNotFound, OrderStateConflict } from '../errors';
import { applyTransition } from './apply-transition';
import { getOrder } from './get-order';
import { OrderStatus, type Actor, type Order } from './order';
import { orderCancelled } from './order-events';
import type { OrderMetrics, OrderRepository } from './ports';

export interface CancelOrderDeps {
  orders: OrderRepository;
  metrics: OrderMetrics;
}

/** Cancels a PENDING or CONFIRMED order for its owner or an admin; order.cancelled makes inventory release stock. */
export async function cancelOrder(actor: Actor, orderId: string, deps: CancelOrderDeps): Promise<Order> {
  const order = await getOrder(actor, orderId, deps.orders);
  const result = await applyTransition(
    order,
    OrderStatus.Cancelled,
    (current) => ({ set: { cancelledBy: actor.userId }, events: [orderCancelled(current, actor.userId)] }),
    deps.orders,
  );
  switch (result.outcome) {
    case 'applied':
      deps.metrics.orderFinalised(OrderStatus.Cancelled);
      return result.order;
    case 'refused':
      throw OrderStateConflict(
        `order ${orderId} is ${result.order.status}; only PENDING or CONFIRMED orders can be cancelled`,
      );
    case 'not-found':
      throw OrderNotFound(`no order ${orderId}`);
  }
}
