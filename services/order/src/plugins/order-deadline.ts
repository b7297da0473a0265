import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { addPeriodicTask } from '@platform/kit';
import { rejectOverdueOrders } from '../domain/reject-overdue';

export interface OrderDeadlineOptions {
  pendingTimeoutMs: number;
  intervalMs: number;
}

/**
 * Runs the saga's deadline (src/domain/reject-overdue.ts) in every replica: the transitions are decided by the
 * transition log, so replicas sweeping together reject each overdue order once.
 */
async function orderDeadlinePlugin(app: FastifyInstance, options: OrderDeadlineOptions): Promise<void> {
  addPeriodicTask(app, {
    name: 'order-deadline',
    intervalMs: options.intervalMs,
    run: (signal) =>
      rejectOverdueOrders(
        {
          orders: app.orderRepository,
          metrics: app.orderMetrics,
          logger: app.log,
          now: () => new Date(),
          pendingTimeoutMs: options.pendingTimeoutMs,
        },
        { signal },
      ),
  });
}

export const orderDeadline = fp(orderDeadlinePlugin, {
  name: 'order-deadline',
  dependencies: ['order-repositories', 'order-metrics'],
});
