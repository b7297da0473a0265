import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { addPeriodicTask } from '@platform/kit';
import { sweepReservations } from '../domain/sweep-reservations';

export interface SweeperOptions {
  intervalMs: number;
}

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
      if (settled > 0) app.log.info({ settled }, 'finished interrupted releases');
    },
  });
}

export const reservationSweeper = fp(reservationSweeperPlugin, {
  name: 'inventory-reservation-sweeper',
  dependencies: ['inventory-deps'],
});
