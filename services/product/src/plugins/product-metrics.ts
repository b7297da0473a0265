import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { getOrCreate } from '@platform/kit';
import type { CacheLookupKind, CacheResult } from '../data-access/cache-call';
import type { ProductMetrics, WriteOperation } from '../domain/ports';

export interface ProductServiceMetrics extends ProductMetrics {
  cacheRequest(lookup: CacheLookupKind, result: CacheResult): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    productMetrics: ProductServiceMetrics;
  }
}

/** The business metrics, on the app's registry (served on the internal metrics port). */
async function productMetricsPlugin(app: FastifyInstance): Promise<void> {
  const registry = app.metrics;
  const cacheRequests = getOrCreate(
    registry,
    'product_cache_requests_total',
    () =>
      new Counter({
        name: 'product_cache_requests_total',
        help: 'Product cache lookups by kind (id, sku, list) and result (hit, miss, error)',
        labelNames: ['lookup', 'result'] as const,
        registers: [registry],
      }),
  );
  const written = getOrCreate(
    registry,
    'products_written_total',
    () =>
      new Counter({
        name: 'products_written_total',
        help: 'Successful product writes by operation (create, update, delete)',
        labelNames: ['operation'] as const,
        registers: [registry],
      }),
  );

  app.decorate<ProductServiceMetrics>('productMetrics', {
    cacheRequest: (lookup, result) => cacheRequests.inc({ lookup, result }),
    productWritten: (operation: WriteOperation) => written.inc({ operation }),
  });
}

export const productMetrics = fp(productMetricsPlugin, { name: 'product-metrics', dependencies: ['kit-metrics'] });
