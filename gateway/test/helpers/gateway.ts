import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@platform/kit';
import { createTestIssuer, requireEnv, uniqueName, type TestIssuer } from '@platform/test-kit';
import { buildApp } from '../../src/app';
import { configSchema, type GatewayConfig } from '../../src/config';
import { startStubService, stubOpenApi, type StubService } from './stub-service';

/** Short group timings (the broker's minimum session timeout is 6 s) so replicas join and leave in seconds. */
const fastConsumerConfig = {
  sessionTimeout: 6_000,
  heartbeatInterval: 500,
  rebalanceTimeout: 3_000,
  maxWaitTimeInMs: 100,
};

export interface StubServices {
  user: StubService;
  product: StubService;
  order: StubService;
  inventory: StubService;
  close(): Promise<void>;
}

/** One stub per service, each with an OpenAPI document for its prefix. */
export async function startStubServices(): Promise<StubServices> {
  const [user, product, order, inventory] = await Promise.all([
    startStubService('user', stubOpenApi('users', '/users')),
    startStubService('product', stubOpenApi('products', '/products')),
    startStubService('order', stubOpenApi('orders', '/orders')),
    startStubService('inventory', stubOpenApi('stock', '/stock')),
  ]);
  return {
    user: user!,
    product: product!,
    order: order!,
    inventory: inventory!,
    async close() {
      await Promise.all([user, product, order, inventory].map((stub) => stub!.stop()));
    },
  };
}

/**
 * The gateway's configuration as production reads it (environment strings through the joi schema), pointed at
 * the stubs and private topics (the gateway has no database). Overrides are environment variables too.
 */
/** Where each upstream listens: stub services, or Pact mock servers in the contract tests. */
export type UpstreamUrls = Record<'user' | 'product' | 'order' | 'inventory', { url: string }>;

export function gatewayConfig(stubs: UpstreamUrls, overrides: Record<string, string> = {}): GatewayConfig {
  return loadConfig(configSchema, {
    SERVICE_NAME: 'gateway',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: requireEnv('REDIS_URL'),
    KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
    KAFKA_TOPIC_PREFIX: `${uniqueName('gateway')}.`,
    AUTH_JWKS_URL: `${stubs.user.url}/.well-known/jwks.json`,
    AUTH_ISSUER: 'https://auth.test',
    USER_SERVICE_URL: stubs.user.url,
    PRODUCT_SERVICE_URL: stubs.product.url,
    ORDER_SERVICE_URL: stubs.order.url,
    INVENTORY_SERVICE_URL: stubs.inventory.url,
    UPSTREAM_TIMEOUT_MS: '1000',
    // Limits live in the shared Redis and every test calls from 127.0.0.1: only the rate-limit tests lower them.
    RATE_LIMIT_IP_MAX: '1000000',
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000000',
    ...overrides,
  });
}

export interface TestGateway {
  app: FastifyInstance;
  stubs: StubServices;
  issuer: TestIssuer;
  config: GatewayConfig;
  close(): Promise<void>;
}

/** A gateway app in front of stub services; `shared` lets two gateways (replicas) share stubs and issuer. */
export async function startTestGateway(
  overrides: Record<string, string> = {},
  shared?: { stubs: StubServices; issuer: TestIssuer },
): Promise<TestGateway> {
  const stubs = shared?.stubs ?? (await startStubServices());
  const issuer = shared?.issuer ?? (await createTestIssuer());
  const config = gatewayConfig(stubs, overrides);
  const app = await buildApp(config, { jwks: issuer.jwks, consumerConfig: fastConsumerConfig });
  await app.ready();
  return {
    app,
    stubs,
    issuer,
    config,
    async close() {
      await app.close();
      if (!shared) await stubs.close();
    },
  };
}
