/**
 * The platform as benchmarks run it: on ports of their own (never `npm run up`'s 3000-3004 / 9100-9104), with fresh
 * secrets and databases (deleted when it stops), and the few calls that seed it (an admin, a product with stock,
 * customers).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { infraEnv, localInfra, type InfraEnv } from '../packages/local-infra/src/index';
import { startPlatform, type RunningPlatform } from '../packages/local-infra/src/platform';
import type { DeployableName, ServiceName, ServicePorts } from '../packages/local-infra/src/services';
import { call, type CallOptions } from '../packages/test-kit/src/http';

export interface BenchPorts {
  services: Record<ServiceName, ServicePorts>;
  gateway: ServicePorts;
}

/** The gateway on `http`, the services on the next four ports; metrics likewise from `metrics`. */
export function benchPorts(http: number, metrics: number): BenchPorts {
  const order: ServiceName[] = ['user', 'product', 'order', 'inventory'];
  return {
    services: Object.fromEntries(
      order.map((name, i) => [name, { http: http + 1 + i, metrics: metrics + 1 + i }]),
    ) as Record<ServiceName, ServicePorts>,
    gateway: { http, metrics },
  };
}

export interface BenchPlatformOptions {
  ports: BenchPorts;
  /** Where the services' logs go; emptied first. */
  workDir: string;
  /** Prefix of the databases and topics: a new one is a platform with no data, deleted when it stops. */
  namespace: string;
  /** The shared local infrastructure unless given. */
  infra?: InfraEnv;
  /** Extra environment per deployable (the gateway's rate limits are set very high whatever is given). */
  extra?: Partial<Record<DeployableName, NodeJS.ProcessEnv>>;
  log(line: string): void;
}

export async function startBenchPlatform(options: BenchPlatformOptions): Promise<RunningPlatform> {
  const privateKeyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const logDir = path.join(options.workDir, 'logs');
  fs.rmSync(options.workDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  const { http } = options.ports.gateway;
  const all = [http, ...Object.values(options.ports.services).map((p) => p.http)];
  options.log(`starting the platform on ports ${all.join(', ')} (gateway first; logs in ${logDir})`);
  return startPlatform({
    infra: options.infra ?? infraEnv(localInfra()),
    ports: options.ports.services,
    gateway: options.ports.gateway,
    namespace: options.namespace,
    // A benchmark's figures are kept, not its data: hundreds of left databases slow the shared database's start.
    discardDataOnStop: true,
    logDir,
    secrets: {
      JWT_PRIVATE_KEY: privateKeyPem,
      JWT_KEY_ID: `bench-${randomUUID().slice(0, 8)}`,
      ADMIN_EMAIL: `bench-admin-${randomUUID().slice(0, 8)}@bench.test`,
      ADMIN_PASSWORD: `bench-admin-${randomUUID()}`,
    },
    extra: {
      ...options.extra,
      // Tokens outlive a run.
      user: { ACCESS_TOKEN_TTL_SECONDS: '3600', ...options.extra?.user },
      gateway: { RATE_LIMIT_IP_MAX: '1000000000', RATE_LIMIT_MAX: '1000000000', ...options.extra?.gateway },
    },
  });
}

/** The JSON body of a 2xx answer; anything else throws with the answer. */
export async function json<T>(url: string, init: CallOptions = {}): Promise<T> {
  const answer = await call<T>(url, init);
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`${init.method ?? 'GET'} ${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

export interface Credentials {
  email: string;
  password: string;
}

export async function login(platform: RunningPlatform, credentials: Credentials): Promise<string> {
  return (await json<{ accessToken: string }>(`${platform.urls.user}/auth/login`, { body: credentials })).accessToken;
}

export function adminToken(platform: RunningPlatform): Promise<string> {
  return login(platform, { email: platform.secrets.ADMIN_EMAIL, password: platform.secrets.ADMIN_PASSWORD });
}

export interface BenchProduct {
  id: string;
  sku: string;
  priceMinor: number;
}

/** A product, created through the product service, and `stock` units of it once inventory opened its record. */
export async function stockedProduct(platform: RunningPlatform, admin: string, stock: number): Promise<BenchProduct> {
  const { urls } = platform;
  const sku = `BENCH-${randomUUID().slice(0, 8).toUpperCase()}`;
  const priceMinor = 1990;
  const product = await json<{ id: string }>(`${urls.product}/products`, {
    token: admin,
    body: {
      sku,
      name: `Bench lamp ${sku}`,
      description: 'a product to order',
      category: 'bench',
      priceMinor,
      currency: 'EUR',
    },
  });
  // Inventory opens it on product.created: on a fresh broker its consumer group may take a while to form.
  for (const deadline = Date.now() + 180_000; ; await sleep(200)) {
    const record = await fetch(`${urls.inventory}/stock/${sku}`, { headers: { authorization: `Bearer ${admin}` } });
    if (record.ok) break;
    if (Date.now() > deadline) throw new Error('inventory never opened the stock record');
  }
  await json(`${urls.inventory}/stock/${sku}/restock`, { token: admin, body: { quantity: stock } });
  return { id: product.id, sku, priceMinor };
}

/** A new customer account, registered with the user service. */
export async function registeredCustomer(platform: RunningPlatform): Promise<Credentials> {
  const customer = { email: `bench-${randomUUID().slice(0, 8)}@bench.test`, password: `bench-${randomUUID()}` };
  await json(`${platform.urls.user}/auth/register`, { body: customer });
  return customer;
}
