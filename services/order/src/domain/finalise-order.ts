import type { RejectedLineV1 } from '@platform/events';
import type { Logger } from 'pino';
import { applyTransition, type DescribeChange } from './apply-transition';
import { OrderStatus } from './order';
import { orderConfirmed, orderRejected } from './order-events';
import type { FinalStatus, OrderMetrics, OrderRepository } from './ports';
import { describeRejection } from './rejection-reason';

export interface FinaliseDeps {
  orders: OrderRepository;
  metrics: OrderMetrics;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
}

/** Inventory reserved every line: the order is confirmed, unless it was cancelled meanwhile. */
export async function confirmOrder(orderId: string, deps: FinaliseDeps): Promise<void> {
  await finalise(orderId, OrderStatus.Confirmed, (order) => ({ events: [orderConfirmed(order)] }), deps);
}

/** Inventory could not reserve the lines: the order is rejected, with a reason built from each line's. */
export async function rejectOrder(
  orderId: string,
  lines: readonly RejectedLineV1[],
  deps: FinaliseDeps,
): Promise<void> {
  const reason = describeRejection(lines);
  const describe: DescribeChange = (order) => ({
    set: { rejectionReason: reason },
    events: [orderRejected(order, reason)],
  });
  await finalise(orderId, OrderStatus.Rejected, describe, deps);
}

/**
 * Idempotent by construction: the transition applies once, whatever the number of deliveries. An answer that
 * arrives for an order already final (a duplicate, or a reservation for a cancelled order) changes nothing:
 * the cancel already published order.cancelled, which makes inventory release the stock.
 */
async function finalise(orderId: string, to: FinalStatus, describe: DescribeChange, deps: FinaliseDeps): Promise<void> {
  const { orders, metrics, logger } = deps;
  const order = await orders.findById(orderId);
  // Retrying cannot make an unknown order appear (orders are stored before order.created is published).
  const result = order ? await applyTransition(order, to, describe, orders) : { outcome: 'not-found' as const };
  switch (result.outcome) {
    case 'applied':
      metrics.orderFinalised(to);
      logger.info({ orderId, status: to }, `order ${to.toLowerCase()}`);
      return;
    case 'refused':
      if (result.order.status === to) logger.debug({ orderId, status: to }, 'order already in this status');
      else
        logger.info({ orderId, status: result.order.status, wanted: to }, 'order is final, inventory answer ignored');
      return;
    case 'not-found':
      logger.warn({ orderId }, 'inventory answered for an unknown order; ignoring it');
      return;
  }
}
