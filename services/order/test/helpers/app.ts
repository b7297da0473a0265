import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@platform/kit';
import { createTestIssuer, migrateUp, serviceTestEnv, type TestIssuer } from '@platform/test-kit';
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
  const issuer = await createTestIssuer();
  const config = loadConfig(configSchema, {
    ...serviceTestEnv('order', { issuer }),
    PRODUCT_SERVICE_URL: 'http://127.0.0.1:9',
    ...env,
  });
  await migrateUp(migrationsDir, config.MONGO_URL);
  const app = await buildApp(config, { jwks: issuer.jwks });
  await app.ready();
  return {
    app,
    config,
    issuer,
    authHeader: async (user) => ({ authorization: `Bearer ${await issuer.token(user)}` }),
  };
}
