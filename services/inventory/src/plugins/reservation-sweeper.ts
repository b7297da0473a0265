import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { addPeriodicTask } from '@platform/kit';
import { sweepReservations } from '../domain/sweep-reservations';

export interface SweeperOptions {
  intervalMs: number;
  /** How long a sku remembers a confirmed order it gave back (see StockDocument.returns). Default a day. */
  returnRetentionMs?: number;
}

const HOUR_MS = 3_600_000;

/**
 * Finishes interrupted releases from app ready to app close, in every replica: the sweep's updates are
 * conditional, so replicas sweeping together give each hold back once. A failed pass is logged and the next one
 * tries again; stock is never lost by waiting.
 */
async function reservationSweeperPlugin(app: FastifyInstance, options: SweeperOptions): Promise<void> {
  addPeriodicTask(app, {
    name: 'reservation-sweep',
    intervalMs: options.intervalMs,
    async run(signal) {
      const settled = await sweepReservations(app.inventory, { signal });
      if (settled > 0) app.log.info({ settled }, 'finished interrupted releases and commits');
    },
  });
  addPeriodicTask(app, {
    name: 'stock-returns-prune',
    intervalMs: HOUR_MS,
    async run() {
      const pruned = await app.inventory.stock.pruneReturns(
        new Date(Date.now() - (options.returnRetentionMs ?? 24 * HOUR_MS)),
      );
      if (pruned > 0) app.log.info({ pruned }, 'old stock returns pruned');
    },
  });
}

export const reservationSweeper = fp(reservationSweeperPlugin, {
  name: 'inventory-reservation-sweeper',
  dependencies: ['inventory-deps'],
});
