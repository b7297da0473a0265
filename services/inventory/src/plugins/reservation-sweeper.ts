import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { addPeriodicTask } from '@platform/kit';
import { sweepReservations } from '../domain/sweep-reservations';

export interface SweeperOptions {
  intervalMs: number;
}

/**
 * Releases expired reservations from app ready to app close, in every replica: the sweep's updates are
 * conditional, so replicas sweeping together release each reservation once. A failed pass is logged and the
 * next one tries again; stock is never lost by waiting.
 */
async function reservationSweeperPlugin(app: FastifyInstance, options: SweeperOptions): Promise<void> {
  addPeriodicTask(app, {
    name: 'reservation-sweep',
    intervalMs: options.intervalMs,
    async run(signal) {
      const expired = await sweepReservations(app.inventory, { signal });
      if (expired > 0) app.log.info({ expired }, 'released expired reservations');
    },
  });
}

export const reservationSweeper = fp(reservationSweeperPlugin, {
  name: 'inventory-reservation-sweeper',
  dependencies: ['inventory-deps'],
});
