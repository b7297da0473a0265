import type { Logger } from 'pino';
import { applyTransition } from './apply-transition';
import { OrderStatus } from './order';
import { orderRejected } from './order-events';
import type { OrderMetrics, OrderRepository } from './ports';

/** The rejection reason of an order inventory did not answer in time: a stable code clients can match. */
export const TIMEOUT_REASON = 'TIMEOUT';

export interface DeadlineDeps {
  orders: OrderRepository;
  metrics: OrderMetrics;
  logger: Pick<Logger, 'info' | 'warn'>;
  now(): Date;
  /** How long an order may stay PENDING. */
  pendingTimeoutMs: number;
}

export interface DeadlineOptions {
  /** Orders per pass; the next pass takes the rest. Default 100. */
  limit?: number;
  /** Stops between orders when aborted (the app is closing). */
  signal?: AbortSignal;
}

/**
 * The saga's deadline: an order still PENDING `pendingTimeoutMs` after it was placed is REJECTED with reason TIMEOUT,
 * and order.rejected tells inventory to give back whatever it may still reserve for it (a reservation that arrives
 * later is released the same way). Through the transition log, so a confirmation racing the deadline and the
 * deadline cannot both win; every replica may run it. Returns how many orders timed out.
 */
export async function rejectOverdueOrders(deps: DeadlineDeps, { limit = 100, signal }: DeadlineOptions = {}) {
  const cutoff = new Date(deps.now().getTime() - deps.pendingTimeoutMs);
  let timedOut = 0;
  for (const order of await deps.orders.findPendingPlacedBefore(cutoff, limit)) {
    if (signal?.aborted) break;
    const result = await applyTransition(
      order,
      OrderStatus.Rejected,
      (current) => ({ set: { rejectionReason: TIMEOUT_REASON }, events: [orderRejected(current, TIMEOUT_REASON)] }),
      deps.orders,
    );
    if (result.outcome !== 'applied') continue;
    timedOut++;
    deps.metrics.orderFinalised(OrderStatus.Rejected);
    deps.metrics.orderTimedOut();
    deps.logger.warn({ orderId: order.id, placedAt: order.createdAt }, 'order timed out waiting for inventory');
  }
  return timedOut;
}
