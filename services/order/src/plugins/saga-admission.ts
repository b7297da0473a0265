import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { addPeriodicTask } from '@platform/kit';
import { createSagaAdmission, type SagaAdmission } from '../domain/saga-admission';

declare module 'fastify' {
  interface FastifyInstance {
    sagaAdmission: SagaAdmission;
  }
}

export interface SagaAdmissionOptions {
  /** Orders in the saga at which new orders are shed; 0 turns admission control off. */
  limit: number;
  /** How often each replica counts the backlog. */
  probeIntervalMs: number;
}

/** Admission control for new orders (src/domain/saga-admission.ts), fed by a periodic count of the backlog. */
async function sagaAdmissionPlugin(app: FastifyInstance, options: SagaAdmissionOptions): Promise<void> {
  const metrics = app.orderMetrics;
  const admission = createSagaAdmission(options.limit, metrics.orderShed);
  app.decorate('sagaAdmission', admission);
  if (options.limit === 0) return;

  addPeriodicTask(app, {
    name: 'saga-backlog',
    intervalMs: options.probeIntervalMs,
    initialDelayMs: 0,
    run: async function countSagaBacklog() {
      // A failed count keeps the last one: with the database away, orders cannot be placed anyway.
      admission.observe(await app.orderRepository.countInSaga(options.limit));
      metrics.sagaBacklog(admission.backlog);
    },
  });
}

export const sagaAdmission = fp(sagaAdmissionPlugin, {
  name: 'saga-admission',
  dependencies: ['order-repositories', 'order-metrics'],
});
