import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { getOrCreate } from '@platform/kit';
import type { InventoryDeps, InventoryMetrics } from '../domain/ports';

declare module 'fastify' {
  interface FastifyInstance {
    /** What the use cases receive: repositories, business metrics, logger, clock and settings. */
    inventory: InventoryDeps;
  }
}

function counter(app: FastifyInstance, name: string, help: string, label: string): Counter<string> {
  return getOrCreate(
    app.metrics,
    name,
    () => new Counter({ name, help, labelNames: [label], registers: [app.metrics] }),
  );
}

function createInventoryMetrics(app: FastifyInstance): InventoryMetrics {
  const reservations = counter(app, 'inventory_reservations_total', 'Orders reserved or rejected', 'outcome');
  const failures = counter(
    app,
    'inventory_reservation_failures_total',
    'Order lines that could not be reserved, by reason',
    'reason',
  );
  const releases = counter(app, 'inventory_releases_total', 'Reservations released, by cause', 'cause');
  return {
    reservationDecided: (outcome) => reservations.inc({ outcome }),
    reservationLineFailed: (reason) => failures.inc({ reason }),
    reservationReleased: (cause) => releases.inc({ cause }),
  };
}

async function inventoryPlugin(app: FastifyInstance): Promise<void> {
  app.decorate<InventoryDeps>('inventory', {
    ...app.repositories,
    metrics: createInventoryMetrics(app),
    log: app.log,
    now: () => new Date(),
  });
}

export const inventory = fp(inventoryPlugin, {
  name: 'inventory-deps',
  dependencies: ['inventory-repositories', 'kit-metrics'],
});
