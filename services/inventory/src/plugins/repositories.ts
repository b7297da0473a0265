import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createReservationRepository } from '../data-access/reservation-repository';
import { createStockRepository } from '../data-access/stock-repository';
import type { ReservationRepository, StockRepository } from '../domain/ports';

declare module 'fastify' {
  interface FastifyInstance {
    repositories: { stock: StockRepository; reservations: ReservationRepository };
  }
}

async function repositoriesPlugin(app: FastifyInstance): Promise<void> {
  app.decorate('repositories', {
    stock: createStockRepository(app.mongo),
    reservations: createReservationRepository(app.mongo),
  });
}

export const repositories = fp(repositoriesPlugin, { name: 'inventory-repositories', dependencies: ['kit-mongo'] });
