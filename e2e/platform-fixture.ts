import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { startPlatform, type RunningPlatform } from '../packages/local-infra/src/platform';
import { defaultPorts, type ServiceName } from '../packages/local-infra/src/services';
import { call, freePort, requireEnv, uniqueName, waitFor, type ApiResponse } from '@platform/test-kit';

export { call, type ApiResponse };

export interface TestPlatformOptions {
  kafkaBrokers?: string;
  /** Export spans there (OTEL_EXPORTER_OTLP_ENDPOINT), e.g. to a Jaeger the test started. */
  otlpEndpoint?: string;
  /** Also run the gateway in front of the services, on free ports of its own. */
  gateway?: boolean;
  /** Extra environment per deployable, e.g. `{ order: { ORDER_PENDING_TIMEOUT_MS: '5000' } }`. */
  extra?: Parameters<typeof startPlatform>[0]['extra'];
}

/**
 * The four services as real processes (what `npm run up` runs), in a namespace of their own: private databases,
 * topic prefix and ports. Their logs are kept in a temp folder, printed when a test fails to start them.
 */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<RunningPlatform> {
  const ports = Object.fromEntries(
    await Promise.all(
      (Object.keys(defaultPorts) as ServiceName[]).map(async (name) => [
        name,
        { http: await freePort(), metrics: await freePort() },
      ]),
    ),
  ) as Record<ServiceName, { http: number; metrics: number }>;
  return startPlatform({
    infra: {
      KAFKA_BROKERS: options.kafkaBrokers ?? requireEnv('KAFKA_BROKERS'),
      MONGO_URL: requireEnv('MONGO_URL'),
      REDIS_URL: requireEnv('REDIS_URL'),
    },
    ports,
    ...(options.gateway ? { gateway: { http: await freePort(), metrics: await freePort() } } : {}),
    otlpEndpoint: options.otlpEndpoint,
    extra: options.extra,
    namespace: uniqueName('e2e').replace(/-/g, '_'),
    logDir: mkdtempSync(path.join(os.tmpdir(), 'e2e-logs-')),
    logLevel: process.env.TEST_LOG_LEVEL ?? 'warn',
    secrets: {
      JWT_PRIVATE_KEY: testKeyPem(),
      JWT_KEY_ID: uniqueName('kid'),
      ADMIN_EMAIL: `${uniqueName('admin')}@e2e.test`,
      ADMIN_PASSWORD: 'correct-horse-battery-e2e',
    },
  });
}

/** One more gateway process in front of the same services (a replica), with `overrides` over its environment. */
export async function startGatewayReplica(
  platform: RunningPlatform,
  overrides: Record<string, string> = {},
): Promise<string> {
  return platform.startReplica('gateway', { http: await freePort(), metrics: await freePort() }, overrides);
}

function testKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export async function login(platform: RunningPlatform, email: string, password: string): Promise<string> {
  const res = await call<{ accessToken: string }>(`${platform.urls.user}/auth/login`, { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

export async function registerCustomer(platform: RunningPlatform): Promise<string> {
  const email = `${uniqueName('customer')}@e2e.test`;
  const password = 'a-long-and-unusual-passphrase';
  const res = await call(`${platform.urls.user}/auth/register`, { body: { email, password } });
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return login(platform, email, password);
}

/** Creates a product (admin) and waits for inventory to open its stock record from product.created, then restocks. */
export async function stockedProduct(
  platform: RunningPlatform,
  adminToken: string,
  units: number,
): Promise<{ id: string; sku: string }> {
  const sku = uniqueName('SKU')
    .toUpperCase()
    .replace(/[^A-Z0-9-]/g, '')
    .slice(0, 30);
  const created = await call<{ id: string }>(`${platform.urls.product}/products`, {
    token: adminToken,
    body: { sku, name: `Product ${sku}`, description: 'e2e', category: 'e2e', priceMinor: 1250, currency: 'EUR' },
  });
  if (created.status !== 201)
    throw new Error(`create product failed: ${created.status} ${JSON.stringify(created.body)}`);
  await waitFor(
    async () => (await call(`${platform.urls.inventory}/stock/${sku}`, { token: adminToken })).status === 200,
    {
      what: `inventory to create stock for ${sku} from product.created`,
      timeoutMs: 30_000,
    },
  );
  if (units > 0) {
    const restocked = await call(`${platform.urls.inventory}/stock/${sku}/restock`, {
      token: adminToken,
      body: { quantity: units },
    });
    if (restocked.status !== 200)
      throw new Error(`restock failed: ${restocked.status} ${JSON.stringify(restocked.body)}`);
  }
  return { id: created.body.id, sku };
}

export async function available(platform: RunningPlatform, token: string, sku: string): Promise<number> {
  return (await call<{ available: number }>(`${platform.urls.inventory}/stock/${sku}`, { token })).body.available;
}

export async function placeOrder(
  platform: RunningPlatform,
  token: string,
  lines: Array<{ productId: string; quantity: number }>,
): Promise<ApiResponse<{ id: string; status: string }>> {
  return call(`${platform.urls.order}/orders`, {
    token,
    body: { lines },
    headers: { 'idempotency-key': uniqueName('idem') },
  });
}

export async function finalStatus(
  platform: RunningPlatform,
  token: string,
  orderId: string,
  timeoutMs = 60_000,
): Promise<string> {
  return waitFor(
    async () => {
      const { body } = await call<{ status: string }>(`${platform.urls.order}/orders/${orderId}`, { token });
      return body.status === 'PENDING' ? undefined : body.status;
    },
    { what: `order ${orderId} to leave PENDING`, timeoutMs },
  );
}
