import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPlatform, type PlatformOptions, type RunningPlatform } from '../../local-infra/src/platform';
import { defaultPorts, type ServiceName, type ServicePorts } from '../../local-infra/src/services';
import { freePort } from './private-infra';
import { requireEnv, uniqueName } from './names';

export interface TestPlatformOptions {
  /** Default: KAFKA_BROKERS (e.g. a private broker a test stops and starts). */
  kafkaBrokers?: string;
  /** Export spans there (OTEL_EXPORTER_OTLP_ENDPOINT), e.g. to a Jaeger the test started. */
  otlpEndpoint?: string;
  /** Also run the gateway in front of the services, on free ports of its own. */
  gateway?: boolean;
  /** Extra environment per deployable, e.g. `{ order: { ORDER_PENDING_TIMEOUT_MS: '5000' } }`. */
  extra?: PlatformOptions['extra'];
  /** Names the run's namespace (databases, topic prefix) and log folder; default `e2e`. */
  name?: string;
}

export interface TestPlatform extends RunningPlatform {
  /** The key the user service signs tokens with (tests forge tokens with it). */
  privateKeyPem: string;
  /** One more gateway process in front of the same services (a replica), with `overrides` over its environment. */
  startGatewayReplica(overrides?: Record<string, string>): Promise<string>;
}

async function freePorts(): Promise<ServicePorts> {
  return { http: await freePort(), metrics: await freePort() };
}

/**
 * The four services (and on request the gateway) as real processes, what `npm run up` runs, in a namespace of their
 * own: private databases, topic prefix and ports. Their logs are kept in a temp folder, printed when a test fails
 * to start them. Stopped with `platform.stop()`. When they do not start, it stops them and throws within about 4 min
 * (3 without the gateway: see readyTimeoutMs in local-infra's platform.ts); a hook that gives up sooner leaves them
 * running, so the hook that calls this waits longer.
 */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const name = options.name ?? 'e2e';
  const ports = Object.fromEntries(
    await Promise.all(
      (Object.keys(defaultPorts) as ServiceName[]).map(async (service) => [service, await freePorts()]),
    ),
  ) as Record<ServiceName, ServicePorts>;
  const privateKeyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const platform = await startPlatform({
    infra: {
      KAFKA_BROKERS: options.kafkaBrokers ?? requireEnv('KAFKA_BROKERS'),
      MONGO_URL: requireEnv('MONGO_URL'),
      REDIS_URL: requireEnv('REDIS_URL'),
    },
    ports,
    ...(options.gateway ? { gateway: await freePorts() } : {}),
    otlpEndpoint: options.otlpEndpoint,
    extra: options.extra,
    namespace: uniqueName(name).replace(/-/g, '_'),
    logDir: mkdtempSync(path.join(os.tmpdir(), `${name}-logs-`)),
    logLevel: process.env.TEST_LOG_LEVEL ?? 'warn',
    secrets: {
      JWT_PRIVATE_KEY: privateKeyPem,
      JWT_KEY_ID: uniqueName('kid'),
      ADMIN_EMAIL: `${uniqueName('admin')}@e2e.test`,
      ADMIN_PASSWORD: 'correct-horse-battery-e2e',
    },
  });
  return {
    ...platform,
    privateKeyPem,
    async startGatewayReplica(overrides = {}) {
      return platform.startReplica('gateway', await freePorts(), overrides);
    },
  };
}
