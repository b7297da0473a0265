import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import { getOrCreate } from '@platform/kit';
import { OrderStatus } from '../domain/order';
import type { FinalStatus, OrderMetrics } from '../domain/ports';

declare module 'fastify' {
  interface FastifyInstance {
    orderMetrics: OrderMetrics;
  }
}

const FINAL_STATUSES: readonly FinalStatus[] = [OrderStatus.Confirmed, OrderStatus.Rejected, OrderStatus.Cancelled];

/** Business metrics; outbox backlog, consumer lag and upstream health come from the kit. */
async function orderMetricsPlugin(app: FastifyInstance): Promise<void> {
  const registry = app.metrics;
  const created = getOrCreate(
    registry,
    'orders_created_total',
    () => new Counter({ name: 'orders_created_total', help: 'Orders accepted (as PENDING)', registers: [registry] }),
  );
  const finalised = getOrCreate(
    registry,
    'orders_finalised_total',
    () =>
      new Counter({
        name: 'orders_finalised_total',
        help: 'Orders that reached CONFIRMED, REJECTED or CANCELLED, by status',
        labelNames: ['status'] as const,
        registers: [registry],
      }),
  );
  const timedOut = getOrCreate(
    registry,
    'orders_timed_out_total',
    () =>
      new Counter({
        name: 'orders_timed_out_total',
        help: 'PENDING orders rejected by the deadline (reason TIMEOUT): inventory did not answer in time',
        registers: [registry],
      }),
  );
  const shed = getOrCreate(
    registry,
    'orders_shed_total',
    () =>
      new Counter({
        name: 'orders_shed_total',
        help: 'New orders refused with 503 ORDER_BACKLOG_FULL: the saga had ORDER_BACKLOG_LIMIT orders in flight',
        registers: [registry],
      }),
  );
  const backlog = getOrCreate(
    registry,
    'order_saga_backlog',
    () =>
      new Gauge({
        name: 'order_saga_backlog',
        help: 'Orders in the saga (PENDING, not waiting for the broker), as last counted (up to ORDER_BACKLOG_LIMIT)',
        registers: [registry],
      }),
  );
  // Every series from zero, so rate() and ratios work before the first order of each kind.
  created.inc(0);
  timedOut.inc(0);
  shed.inc(0);
  for (const status of FINAL_STATUSES) finalised.inc({ status }, 0);

  app.decorate<OrderMetrics>('orderMetrics', {
    orderCreated: () => created.inc(),
    orderFinalised: (status) => finalised.inc({ status }),
    orderTimedOut: () => timedOut.inc(),
    orderShed: () => shed.inc(),
    sagaBacklog: (count) => backlog.set(count),
  });
}

export const orderMetrics = fp(orderMetricsPlugin, { name: 'order-metrics', dependencies: ['kit-metrics'] });
