import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Component } from '@platform/local-infra';
import {
  freePort,
  startLoopbackBalancer,
  startPrivateMongo,
  startPrivateKafka,
  startPrivateRedis,
  uniqueName,
  type LoopbackBalancer,
} from '@platform/test-kit';
import { startPlatform, type RunningPlatform } from '../../packages/local-infra/src/platform';
import { serviceNames, type DeployableName, type ServicePorts } from '../../packages/local-infra/src/services';
import { login, registerCustomer, stockedProduct } from '../../e2e/platform-fixture';

export interface Customer {
  token: string;
  /** The client address the gateway sees for this customer (X-Forwarded-For, believed from loopback). */
  ip: string;
}

export interface Product {
  id: string;
  sku: string;
  /** Units at the start; nothing restocks them during the suite, so every unit is accounted for by orders. */
  initial: number;
}

export interface ChaosPlatform {
  platform: RunningPlatform;
  /** Private to this suite: stopping them disturbs no other test run on the machine. */
  kafka: Component;
  db: Component;
  redis: Component;
  /** One stable address per deployable (what a Kubernetes Service is): callers use these, never a process's port. */
  balancers: Record<DeployableName, LoopbackBalancer>;
  /** Each deployable's first process (the platform's own). */
  ports: Record<DeployableName, ServicePorts>;
  /** Database name prefix and Kafka topic prefix (without its dot). */
  namespace: string;
  admin: string;
  customers: Customer[];
  products: Product[];
  logDir: string;
  stop(): Promise<void>;
}

const deployables: DeployableName[] = [...serviceNames, 'gateway'];

/**
 * The whole platform as real processes on infrastructure of the suite's own (Kafka, the MongoDB-protocol database,
 * Redis, all on free loopback ports), with a loopback balancer in front of every deployable. Services and the gateway
 * reach each other only through the balancers, and so does the load generator: a replica can be added and the old
 * process taken out of rotation before it gets SIGTERM, as an orchestrator does, and a fault can be put between
 * the order service and the product service without the processes knowing.
 * The gateway keeps its production limits; each customer calls from an address of its own.
 */
export async function startChaosPlatform(customerCount: number): Promise<ChaosPlatform> {
  const [kafka, db, redis] = await Promise.all([startPrivateKafka(), startPrivateMongo(), startPrivateRedis()]);
  const ports = {} as Record<DeployableName, ServicePorts>;
  const balancers = {} as Record<DeployableName, LoopbackBalancer>;
  for (const name of deployables) {
    ports[name] = { http: await freePort(), metrics: await freePort() };
    balancers[name] = await startLoopbackBalancer(await freePort(), [ports[name].http]);
  }
  const jwks = { AUTH_JWKS_URL: `${balancers.user.url}/.well-known/jwks.json` };
  const namespace = uniqueName('chaos').replace(/-/g, '_');
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'chaos-logs-'));
  const { gateway: gatewayPorts, ...servicePorts } = ports;
  let platform: RunningPlatform | undefined;
  const stopAll = async () => {
    await platform?.stop();
    await Promise.all(Object.values(balancers).map((b) => b.close()));
    await Promise.allSettled([kafka.stop(), db.stop(), redis.stop()]);
  };
  try {
    platform = await startPlatform({
      infra: { KAFKA_BROKERS: kafka.url, MONGO_URL: db.url, REDIS_URL: redis.url },
      ports: servicePorts,
      gateway: gatewayPorts,
      namespace,
      logDir,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'warn',
      secrets: {
        JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        JWT_KEY_ID: uniqueName('kid'),
        ADMIN_EMAIL: `${uniqueName('admin')}@chaos.test`,
        ADMIN_PASSWORD: 'correct-horse-battery-chaos',
      },
      extra: {
        user: jwks,
        product: jwks,
        inventory: jwks,
        order: { ...jwks, PRODUCT_SERVICE_URL: balancers.product.url },
        gateway: {
          ...jwks,
          USER_SERVICE_URL: balancers.user.url,
          PRODUCT_SERVICE_URL: balancers.product.url,
          ORDER_SERVICE_URL: balancers.order.url,
          INVENTORY_SERVICE_URL: balancers.inventory.url,
          TRUSTED_PROXIES: '127.0.0.1',
          SSE_HEARTBEAT_MS: '1000',
        },
      },
    });
    const admin = await login(platform, platform.secrets.ADMIN_EMAIL, platform.secrets.ADMIN_PASSWORD);
    const customers: Customer[] = [];
    for (let i = 0; i < customerCount; i++) {
      customers.push({ token: await registerCustomer(platform), ip: `10.13.${Math.floor(i / 250)}.${(i % 250) + 1}` });
    }
    // Plenty of two products, and a scarce one that runs out during the suite, so rejections are part of the traffic.
    const products: Product[] = [];
    for (const units of [100_000, 100_000, 60]) {
      products.push({ ...(await stockedProduct(platform, admin, units)), initial: units });
    }
    const running = platform;
    return {
      platform: running,
      kafka,
      db,
      redis,
      balancers,
      ports,
      namespace,
      admin,
      customers,
      products,
      logDir,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
