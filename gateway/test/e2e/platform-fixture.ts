import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, freePort, requireEnv, uniqueName, type ApiResponse } from '@platform/test-kit';
import { startPlatform, type RunningPlatform } from '../../../packages/local-infra/src/platform';
import {
  defaultPorts,
  type ServiceEnvOptions,
  type ServiceName,
  type ServicePorts,
} from '../../../packages/local-infra/src/services';

export { call, type ApiResponse };

/** Limits and resilience settings the acceptance tests rely on; every caller here is 127.0.0.1. */
const gatewayOverrides = {
  RATE_LIMIT_IP_MAX: '100000',
  RATE_LIMIT_MAX: '100000',
  AUTH_RATE_LIMIT_MAX: '5',
  UPSTREAM_RETRY_ATTEMPTS: '1',
  BREAKER_VOLUME_THRESHOLD: '3',
  BREAKER_RESET_TIMEOUT_MS: '1500',
  SSE_HEARTBEAT_MS: '1000',
};

export interface TestPlatform extends RunningPlatform {
  gatewayUrl: string;
  privateKeyPem: string;
  /** Starts one more gateway process on the same infrastructure (a replica); stopped with the platform. */
  startGatewayReplica(overrides?: Record<string, string>): Promise<string>;
}

async function ports(): Promise<ServicePorts> {
  return { http: await freePort(), metrics: await freePort() };
}

/** The four services and the gateway as real processes (what `npm run up` runs), in a namespace of their own. */
export async function startTestPlatform(): Promise<TestPlatform> {
  const servicePorts = Object.fromEntries(
    await Promise.all((Object.keys(defaultPorts) as ServiceName[]).map(async (name) => [name, await ports()])),
  ) as Record<ServiceName, ServicePorts>;
  const privateKeyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'gateway-e2e-'));
  const envOptions: ServiceEnvOptions = {
    infra: {
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      MONGO_URL: requireEnv('MONGO_URL'),
      REDIS_URL: requireEnv('REDIS_URL'),
    },
    ports: servicePorts,
    namespace: uniqueName('gw_e2e').replace(/-/g, '_'),
    logLevel: process.env.TEST_LOG_LEVEL ?? 'warn',
    secrets: {
      JWT_PRIVATE_KEY: privateKeyPem,
      JWT_KEY_ID: uniqueName('kid'),
      ADMIN_EMAIL: `${uniqueName('admin')}@e2e.test`,
      ADMIN_PASSWORD: 'correct-horse-battery-e2e',
    },
    extra: { gateway: gatewayOverrides },
  };
  const platform = await startPlatform({ ...envOptions, logDir, gateway: await ports() });
  return {
    ...platform,
    gatewayUrl: platform.urls.gateway!,
    privateKeyPem,
    async startGatewayReplica(overrides = {}) {
      return platform.startReplica('gateway', await ports(), overrides);
    },
  };
}
