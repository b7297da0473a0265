import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { OutboxRelay } from '@platform/kit';
import { createProductCache } from '../data-access/product-cache';
import { createProductRepository } from '../data-access/product-repository';
import type { ProductCache, ProductRepository } from '../domain/ports';

declare module 'fastify' {
  interface FastifyInstance {
    products: ProductRepository;
    productCache: ProductCache;
  }
}

export interface RepositoriesOptions {
  /** The products collection's outbox relay (app.kafka.addOutboxRelay). */
  outbox: OutboxRelay;
  cacheKeyPrefix: string;
  cacheTtlSeconds: number;
  listCacheTtlSeconds: number;
  cacheTimeoutMs: number;
}

/** The products collection and its Redis cache, typed behind the domain's ports. */
async function repositoriesPlugin(app: FastifyInstance, options: RepositoriesOptions): Promise<void> {
  app.decorate('products', createProductRepository(app.mongo, options.outbox));
  app.decorate(
    'productCache',
    createProductCache({
      redis: app.redis,
      keyPrefix: options.cacheKeyPrefix,
      ttlSeconds: options.cacheTtlSeconds,
      listTtlSeconds: options.listCacheTtlSeconds,
      timeoutMs: options.cacheTimeoutMs,
      log: app.log,
      onLookup: app.productMetrics.cacheRequest,
    }),
  );
}

export const repositories = fp(repositoriesPlugin, {
  name: 'product-repositories',
  dependencies: ['kit-mongo', 'kit-redis', 'product-metrics'],
});
