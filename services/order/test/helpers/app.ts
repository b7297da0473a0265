import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@platform/kit';
import {
  createTestIssuer,
  isolatedMongoUrl,
  migrateUp,
  requireEnv,
  uniqueName,
  type TestIssuer,
} from '@platform/test-kit';
import { buildApp } from '../../src/app';
import { configSchema, type OrderConfig } from '../../src/config';

export const migrationsDir = path.join(__dirname, '..', '..', 'migrations');

export interface TestApp {
  app: FastifyInstance;
  config: Readonly<OrderConfig>;
  issuer: TestIssuer;
  /** A ready-made `authorization` header for this user. */
  authHeader(user: { userId: string; role?: 'customer' | 'admin' }): Promise<{ authorization: string }>;
}

/**
 * The order service as production builds it, against the real database (a fresh, migrated one), Redis and Kafka
 * (topics and groups under a private prefix). `env` overrides variables, as strings, like the environment would.
 */
export async function startOrderApp(env: Record<string, string> = {}): Promise<TestApp> {
  const mongoUrl = isolatedMongoUrl('order');
  await migrateUp(migrationsDir, mongoUrl);
  const issuer = await createTestIssuer();
  const config = loadConfig(configSchema, {
    SERVICE_NAME: 'order-service',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGO_URL: mongoUrl,
    REDIS_URL: requireEnv('REDIS_URL'),
    KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
    KAFKA_TOPIC_PREFIX: `${uniqueName('order')}.`,
    // Never fetched: the test issuer's key set is passed to buildApp.
    AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    PRODUCT_SERVICE_URL: 'http://127.0.0.1:9',
    ...env,
  });
  const app = await buildApp(config, { jwks: issuer.jwks });
  await app.ready();
  return {
    app,
    config,
    issuer,
    authHeader: async (user) => ({ authorization: `Bearer ${await issuer.token(user)}` }),
  };
}
