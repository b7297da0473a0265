/**
 * A platform for k6 to run against, started by the run itself (`npm run k6 -- <type> --platform`, `npm run bench --
 * load`): the five deployables on free ports, fresh databases and topics, the gateway's per-IP and per-user limits
 * lifted (every virtual user calls from 127.0.0.1) and the credential limit left as it is, so the scripts must
 * respect it.
 */
import path from 'node:path';
import { ensureInfra, localInfra } from '../packages/local-infra/src/index';
import { osPort } from '../packages/local-infra/src/process';
import type { RunningPlatform } from '../packages/local-infra/src/platform';
import type { ServiceName, ServicePorts } from '../packages/local-infra/src/services';
import { startBenchPlatform } from './bench-platform';
import { envWords } from './saga-infra';

export interface K6Platform {
  platform: RunningPlatform;
  baseUrl: string;
  /** The gateway's Prometheus endpoint: its own view of the run (server-side latency, event-loop delay). */
  gatewayMetricsUrl: string;
  admin: { email: string; password: string };
  stop(): Promise<void>;
}

async function ports(): Promise<ServicePorts> {
  return { http: await osPort(), metrics: await osPort() };
}

export async function startK6Platform(options: { workDir: string; log(line: string): void }): Promise<K6Platform> {
  const components = localInfra();
  await ensureInfra(components);
  const services = {} as Record<ServiceName, ServicePorts>;
  for (const name of ['user', 'product', 'order', 'inventory'] as const) services[name] = await ports();
  const gateway = await ports();
  const platform = await startBenchPlatform({
    ports: { services, gateway },
    workDir: path.resolve(options.workDir),
    namespace: `k6_${Date.now().toString(36)}`,
    // BENCH_GATEWAY_ENV: gateway settings for a look inside (e.g. NODE_OPTIONS=--cpu-prof).
    extra: { gateway: envWords(process.env.BENCH_GATEWAY_ENV) },
    log: options.log,
  });
  return {
    platform,
    baseUrl: platform.urls.gateway!,
    gatewayMetricsUrl: `http://127.0.0.1:${gateway.metrics}/metrics`,
    admin: { email: platform.secrets.ADMIN_EMAIL, password: platform.secrets.ADMIN_PASSWORD },
    stop: () => platform.stop(),
  };
}
