import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

export interface IdempotencySweeperOptions {
  /** Keys older than this are forgotten: a retry after it is a new order. */
  retentionMs: number;
  intervalMs: number;
}

/**
 * Purges expired Idempotency-Keys on a timer. FerretDB has no TTL indexes, so this does their job; every
 * replica runs it, which is harmless (a range delete by age) and needs no leader election.
 */
async function idempotencySweeperPlugin(app: FastifyInstance, options: IdempotencySweeperOptions): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();

  async function sweep(): Promise<void> {
    try {
      const purged = await app.idempotencyKeys.purgeCreatedBefore(new Date(Date.now() - options.retentionMs));
      if (purged > 0) app.log.info({ purged }, 'expired idempotency keys purged');
    } catch (err) {
      app.log.warn({ err }, 'could not purge expired idempotency keys; will retry');
    }
  }

  app.addHook('onReady', async function startSweeper() {
    timer = setInterval(function runSweep() {
      sweeping = sweep();
    }, options.intervalMs);
    // The sweeper alone must never keep the process alive.
    timer.unref();
  });

  app.addHook('onClose', async function stopSweeper() {
    clearInterval(timer);
    await sweeping;
  });
}

export const idempotencySweeper = fp(idempotencySweeperPlugin, {
  name: 'order-idempotency-sweeper',
  dependencies: ['order-repositories'],
});
