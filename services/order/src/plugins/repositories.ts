import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
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
async function repositoriesPlugin(app: FastifyInstance): Promise<void> {
  app.decorate('orderRepository', createOrderRepository(app.mongo));
  app.decorate('idempotencyKeys', createIdempotencyKeyRepository(app.mongo));
}

export const repositories = fp(repositoriesPlugin, { name: 'order-repositories', dependencies: ['kit-mongo'] });
