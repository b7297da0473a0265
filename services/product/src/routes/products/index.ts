import type { FastifyInstance } from 'fastify';
import { productReadRoutes } from './read-routes';
import { productWriteRoutes } from './write-routes';

export interface ProductRoutesOptions {
  /** `s-maxage` of the public reads: how long the gateway's edge cache may serve them. */
  sharedCacheMaxAgeSeconds: number;
}

/** `/products`: public reads, admin writes. */
export async function productRoutes(app: FastifyInstance, options: ProductRoutesOptions): Promise<void> {
  await app.register(productReadRoutes, { sharedCacheMaxAgeSeconds: options.sharedCacheMaxAgeSeconds });
  await app.register(productWriteRoutes);
}
