import type { FastifyInstance } from 'fastify';
import { topicPartitions, Topics } from '@platform/events';
import { auth, createApp, createDenyList, kafka, mongo, openapi, redis, type VerifierOptions } from '@platform/kit';
import type { InventoryConfig } from './config';
import { consumers } from './consumers';
import { inventory } from './plugins/inventory';
import { repositories } from './plugins/repositories';
import { reservationSweeper } from './plugins/reservation-sweeper';
import { stockRoutes } from './routes/stock';

type JSONWebKeySet = Extract<VerifierOptions['jwks'], { keys: unknown }>['keys'];

export interface AppDeps {
  /** A key set to verify tokens with instead of fetching AUTH_JWKS_URL (tests). */
  jwks?: JSONWebKeySet;
}

/** Every topic this service consumes or produces; the kafka plugin creates them (and their .dlq) if missing. */
const topics = [
  Topics.ProductCreated,
  Topics.ProductDeleted,
  Topics.OrderCreated,
  Topics.OrderCancelled,
  Topics.OrderConfirmed,
  Topics.InventoryReserved,
  Topics.InventoryRejected,
].map((topic) => ({ topic, numPartitions: topicPartitions }));

export async function buildApp(config: Readonly<InventoryConfig>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = await createApp({ config });
  await app.register(openapi, { title: 'inventory service', version: '1.0.0' });
  await app.register(mongo, { url: config.MONGO_URL });
  await app.register(redis, { url: config.REDIS_URL });
  await app.register(auth, {
    jwks: deps.jwks ? { keys: deps.jwks } : { url: config.AUTH_JWKS_URL },
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    denyList: createDenyList(app.redis),
  });
  await app.register(kafka, {
    clientId: config.SERVICE_NAME,
    brokers: config.KAFKA_BROKERS.split(','),
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    topics,
  });
  // inventory.reserved / inventory.rejected are written with the reservation's outcome and relayed from there.
  app.kafka.addOutboxRelay('reservations');
  await app.register(repositories);
  await app.register(inventory, { reservationTtlMs: config.RESERVATION_TTL_MS });
  await app.register(stockRoutes, { prefix: '/stock' });
  await app.register(consumers);
  await app.register(reservationSweeper, { intervalMs: config.RESERVATION_SWEEP_INTERVAL_MS });
  return app;
}
