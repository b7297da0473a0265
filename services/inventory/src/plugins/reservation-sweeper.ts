import { setTimeout as sleep } from 'node:timers/promises';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
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
  const stop = new AbortController();
  let loop: Promise<void> | undefined;

  async function run(): Promise<void> {
    while (!stop.signal.aborted) {
      try {
        const expired = await sweepReservations(app.inventory);
        if (expired > 0) app.log.info({ expired }, 'released expired reservations');
      } catch (err) {
        app.log.warn({ err }, 'reservation sweep failed; the next one retries');
      }
      await sleep(options.intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  }

  app.addHook('onReady', async function startSweeper() {
    loop = run();
  });
  // Registered after kafka and mongo, so this runs before they close: the pass in hand finishes first.
  app.addHook('onClose', async function stopSweeper() {
    stop.abort();
    await loop;
  });
}

export const reservationSweeper = fp(reservationSweeperPlugin, {
  name: 'inventory-reservation-sweeper',
  dependencies: ['inventory-deps'],
});
