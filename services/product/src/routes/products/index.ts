import type { FastifyInstance } from 'fastify';
import { productReadRoutes } from './read-routes';
import { productWriteRoutes } from './write-routes';

/** `/products`: public reads, admin writes. */
export async function productRoutes(app: FastifyInstance): Promise<void> {
  await app.register(productReadRoutes);
  await app.register(productWriteRoutes);
}
