import type { FastifyInstance } from 'fastify';
import { topicPartitions, Topics } from '@platform/events';
import { createApp, infrastructure, openapi, type AuthOptions } from '@platform/kit';
import type { OrderConfig } from './config';
import { consumers } from './consumers';
import { ORDERS_COLLECTION } from './data-access/order-model';
import { idempotencySweeper } from './plugins/idempotency-sweeper';
import { orderDeadline } from './plugins/order-deadline';
import { orderMetrics } from './plugins/order-metrics';
import { productClient } from './plugins/product-client';
import { repositories } from './plugins/repositories';
import { sagaAdmission } from './plugins/saga-admission';
import { orderRoutes } from './routes/orders';

type JSONWebKeySet = Extract<AuthOptions['jwks'], { keys: unknown }>['keys'];

export interface AppDeps {
  /** Verify tokens against this key set instead of fetching AUTH_JWKS_URL (tests). */
  jwks?: JSONWebKeySet;
}

/** Every topic this service produces or consumes; the kafka plugin creates them (and their .dlq) at start. */
const TOPICS = [Topics.Orders, Topics.InventoryReservations];

export async function buildApp(config: Readonly<OrderConfig>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = await createApp({ config });
  await app.register(openapi, { title: 'order service', version: '1.0.0', description: 'Orders and their lifecycle' });
  await app.register(infrastructure, { config, topics: TOPICS, numPartitions: topicPartitions, jwks: deps.jwks });
  const outbox = app.kafka.addOutboxRelay(ORDERS_COLLECTION);

  await app.register(repositories, { outbox });
  await app.register(orderMetrics);
  await app.register(productClient, {
    baseUrl: config.PRODUCT_SERVICE_URL,
    timeoutMs: config.PRODUCT_SERVICE_TIMEOUT_MS,
  });
  await app.register(idempotencySweeper, {
    retentionMs: config.IDEMPOTENCY_KEY_RETENTION_HOURS * 3_600_000,
    intervalMs: config.IDEMPOTENCY_SWEEP_INTERVAL_MS,
  });
  await app.register(orderDeadline, {
    pendingTimeoutMs: config.ORDER_PENDING_TIMEOUT_MS,
    intervalMs: config.ORDER_DEADLINE_SWEEP_INTERVAL_MS,
  });
  await app.register(sagaAdmission, {
    limit: config.ORDER_BACKLOG_LIMIT,
    probeIntervalMs: config.ORDER_BACKLOG_PROBE_INTERVAL_MS,
  });
  await app.register(orderRoutes, { prefix: '/orders' });
  await app.register(consumers);
  return app;
}
