import type { FastifyInstance } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import { createApp, infrastructure, openapi } from '@platform/kit';
import { Topics, topicPartitions } from '@platform/events';
import type { ProductConfig } from './config';
import { productMetrics } from './plugins/product-metrics';
import { repositories } from './plugins/repositories';
import { productRoutes } from './routes/products';

export interface AppDeps {
  /** Verify tokens with this key set instead of fetching AUTH_JWKS_URL (tests). */
  jwks?: JSONWebKeySet;
}

const producedTopics = [Topics.Products];

export async function buildApp(config: Readonly<ProductConfig>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = await createApp({ config });
  await app.register(openapi, {
    title: 'product service',
    version: '1.0.0',
    description: 'The catalogue: public reads (cached), admin writes, product.* events',
  });
  // The cache namespaces its own keys with CACHE_KEY_PREFIX (Redis has no client-wide prefix: see the kit).
  await app.register(infrastructure, {
    config,
    topics: producedTopics,
    numPartitions: topicPartitions,
    jwks: deps.jwks,
  });
  // Publishes the product.* events each write leaves in its document's outbox.
  const outbox = app.kafka.addOutboxRelay('products');

  await app.register(productMetrics);
  await app.register(repositories, {
    outbox,
    cacheKeyPrefix: config.CACHE_KEY_PREFIX,
    cacheTtlSeconds: config.CACHE_TTL_SECONDS,
    listCacheTtlSeconds: config.LIST_CACHE_TTL_SECONDS,
    cacheTimeoutMs: config.CACHE_TIMEOUT_MS,
  });
  await app.register(productRoutes, {
    prefix: '/products',
    sharedCacheMaxAgeSeconds: config.SHARED_CACHE_MAX_AGE_SECONDS,
  });
  return app;
}
