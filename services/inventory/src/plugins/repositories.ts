import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { OutboxRelay } from '@platform/kit';
import { createReservationRepository } from '../data-access/reservation-repository';
import { createStockRepository } from '../data-access/stock-repository';
import type { ReservationRepository, StockRepository } from '../domain/ports';

declare module 'fastify' {
  interface FastifyInstance {
    repositories: { stock: StockRepository; reservations: ReservationRepository };
  }
}

export interface RepositoriesOptions {
  /** The reservations collection's outbox relay (app.kafka.addOutboxRelay). */
  outbox: OutboxRelay;
}

async function repositoriesPlugin(app: FastifyInstance, options: RepositoriesOptions): Promise<void> {
  app.decorate('repositories', {
    stock: createStockRepository(app.mongo),
    reservations: createReservationRepository(app.mongo, options.outbox),
  });
}

export const repositories = fp(repositoriesPlugin, { name: 'inventory-repositories', dependencies: ['kit-mongo'] });
