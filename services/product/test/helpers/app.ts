import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@platform/kit';
import {
  createTestIssuer,
  migrateUp,
  objectIdHex,
  serviceTestEnv,
  uniqueName,
  type TestIssuer,
} from '@platform/test-kit';
import { buildApp } from '../../src/app';
import { configSchema, type ProductConfig } from '../../src/config';

export const migrationsDir = path.join(__dirname, '..', '..', 'migrations');

export interface TestApp {
  app: FastifyInstance;
  config: Readonly<ProductConfig>;
  issuer: TestIssuer;
  adminToken: string;
  customerToken: string;
  close(): Promise<void>;
}

/** The config a deployment would load, pointed at an isolated database, topic prefix and cache namespace. */
export function testConfig(name: string, env: Record<string, string> = {}): Readonly<ProductConfig> {
  return loadConfig(configSchema, {
    ...serviceTestEnv('product', { name }),
    CACHE_KEY_PREFIX: `${uniqueName(name)}:`,
    AUTH_JWKS_URL: 'http://127.0.0.1:9/unused-jwks.json',
    AUTH_ISSUER: 'https://auth.test',
    // Many suites share two cores in CI, where a Redis call can outlast the 200 ms budget and the cache falls back
    // to the database: a test counting hits would see a miss. The budget's own test sets it (product-cache.test.ts).
    CACHE_TIMEOUT_MS: '5000',
    ...env,
  });
}

/** buildApp against the real infrastructure, with migrations applied and an admin and a customer token ready. */
export async function startTestApp(name: string, env: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(name, env);
  const issuer = await createTestIssuer(config.AUTH_ISSUER, config.AUTH_AUDIENCE);
  await migrateUp(migrationsDir, config.MONGO_URL);
  const app = await buildApp(config, { jwks: issuer.jwks });
  await app.ready();
  return {
    app,
    config,
    issuer,
    adminToken: await issuer.token({ userId: objectIdHex(), role: 'admin' }),
    customerToken: await issuer.token({ userId: objectIdHex(), role: 'customer' }),
    async close() {
      await app.mongo.dropDatabase().catch(() => undefined);
      await deleteCacheKeys(app, config.CACHE_KEY_PREFIX).catch(() => undefined);
      await app.close();
    },
  };
}

/** The shared Redis outlives the test run: remove this file's cache keys (the list generation has no TTL). */
async function deleteCacheKeys(app: FastifyInstance, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const batch of app.redis.scanStream({ match: `${prefix}*`, count: 500 }))
    keys.push(...(batch as string[]));
  if (keys.length > 0) await app.redis.del(...keys);
}
