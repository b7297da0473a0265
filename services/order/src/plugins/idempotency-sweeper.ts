import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { addPeriodicTask } from '@platform/kit';

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
  addPeriodicTask(app, {
    name: 'idempotency-key-sweep',
    intervalMs: options.intervalMs,
    async run() {
      const purged = await app.idempotencyKeys.purgeCreatedBefore(new Date(Date.now() - options.retentionMs));
      if (purged > 0) app.log.info({ purged }, 'expired idempotency keys purged');
    },
  });
}

export const idempotencySweeper = fp(idempotencySweeperPlugin, {
  name: 'order-idempotency-sweeper',
  dependencies: ['order-repositories'],
});
