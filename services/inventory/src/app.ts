import type { FastifyInstance } from 'fastify';
import { topicPartitions, Topics } from '@platform/events';
import { createApp, infrastructure, openapi, type VerifierOptions } from '@platform/kit';
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
const topics = [Topics.Products, Topics.Orders, Topics.InventoryReservations];

export async function buildApp(config: Readonly<InventoryConfig>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = await createApp({ config });
  await app.register(openapi, { title: 'inventory service', version: '1.0.0' });
  await app.register(infrastructure, { config, topics, numPartitions: topicPartitions, jwks: deps.jwks });
  // inventory.reserved / inventory.rejected are written with the reservation's outcome and relayed from there.
  const outbox = app.kafka.addOutboxRelay('reservations');
  await app.register(repositories, { outbox });
  await app.register(inventory);
  await app.register(stockRoutes, { prefix: '/stock' });
  await app.register(consumers);
  await app.register(reservationSweeper, { intervalMs: config.RESERVATION_SWEEP_INTERVAL_MS });
  return app;
}
