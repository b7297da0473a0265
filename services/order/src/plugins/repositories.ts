import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { OutboxRelay } from '@platform/kit';
import { createIdempotencyKeyRepository } from '../data-access/idempotency-key-repository';
import { createOrderRepository } from '../data-access/order-repository';
import type { IdempotencyStore, OrderRepository } from '../domain/ports';

declare module 'fastify' {
  interface FastifyInstance {
    orderRepository: OrderRepository;
    idempotencyKeys: IdempotencyStore;
  }
}

/** The repositories, on the app's own mongoose connection; indexes come from migrations. */
export interface RepositoriesOptions {
  /** The orders collection's outbox relay (app.kafka.addOutboxRelay). */
  outbox: OutboxRelay;
}

async function repositoriesPlugin(app: FastifyInstance, options: RepositoriesOptions): Promise<void> {
  app.decorate('orderRepository', createOrderRepository(app.mongo, options.outbox));
  app.decorate('idempotencyKeys', createIdempotencyKeyRepository(app.mongo));
}

export const repositories = fp(repositoriesPlugin, { name: 'order-repositories', dependencies: ['kit-mongo'] });
