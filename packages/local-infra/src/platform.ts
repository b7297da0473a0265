import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runMigrations } from '@platform/kit';
import { deleteData, namespaceData } from './delete-data';
import type { InfraEnv } from './index';
import { dirs } from './paths';
import { InfraError, tail } from './process';
import {
  defaultGatewayPorts,
  defaultPorts,
  devSecrets,
  gatewayEnv,
  serviceDir,
  serviceEnv,
  serviceNames,
  spawnService,
  type DeployableName,
  type DevSecrets,
  type ServiceEnvOptions,
  type ServiceName,
  type RunMode,
  type ServicePorts,
} from './services';

export interface PlatformOptions {
  infra: InfraEnv;
  ports?: Record<ServiceName, ServicePorts>;
  namespace?: string;
  logDir?: string;
  logLevel?: string;
  secrets?: DevSecrets;
  extra?: ServiceEnvOptions['extra'];
  /**
   * The gateway's ports, or false for the services alone. Defaults to 3000/9100 when `ports` is not given
   * (`npm run up`), and to false when it is (callers choosing the services' ports choose the gateway's too).
   */
  gateway?: ServicePorts | false;
  /** Where every deployable exports its spans (OTEL_EXPORTER_OTLP_ENDPOINT); none are exported without it. */
  otlpEndpoint?: string;
  /** Compiled JavaScript (default, what images run) or the sources, restarted on change (`npm run up -- --watch`). */
  mode?: RunMode;
  /**
   * A throw-away platform (benchmarks, k6 runs): `stop()` then drops the namespace's databases and deletes its topics,
   * which would otherwise pile up in the shared instances (hundreds of databases make the database take minutes to
   * open). Needs a `namespace`: `npm run up`'s data is never deleted.
   */
  discardDataOnStop?: boolean;
}

export interface RunningPlatform {
  /** `gateway` is present when the gateway was started. */
  urls: Record<ServiceName, string> & { gateway?: string };
  secrets: DevSecrets;
  logFiles: Record<ServiceName, string> & { gateway?: string };
  /** Each deployable's metrics port (its /metrics on 127.0.0.1), e.g. for a Prometheus to scrape. */
  metricsPorts: Record<ServiceName, number> & { gateway?: number };
  /**
   * SIGTERM to every service and the gateway (graceful), then waits for them to exit; with `discardDataOnStop`,
   * then deletes their data.
   */
  stop(): Promise<void>;
  /**
   * Stops one service (e.g. to test what its callers do without it) and returns a function that restarts it.
   * SIGTERM by default (a graceful stop); SIGKILL for a crash.
   */
  stopService(name: DeployableName, signal?: NodeJS.Signals): Promise<() => Promise<void>>;
  /**
   * One more process of a deployable on the same infrastructure and namespace (a replica), on the ports given,
   * with `overrides` over its environment; resolves with its URL once ready. Stopped with the platform.
   */
  startReplica(name: DeployableName, ports: ServicePorts, overrides?: NodeJS.ProcessEnv): Promise<string>;
}

/**
 * How long each deployable may take to answer ready. startPlatform waits in up to three rounds (the user service, the
 * other services, the gateway), so it gives up, stopping what it started, within three times this plus the
 * migrations and the stop: a caller that gives up first (a jest hook's timeout) leaves the processes running.
 */
const readyTimeoutMs = 60_000;

async function waitForReady(name: DeployableName, url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new InfraError(`${name} exited with ${child.exitCode}:\n${tail(logFile)}`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(200);
  }
  throw new InfraError(`${name} not ready after ${readyTimeoutMs / 1000} s:\n${tail(logFile)}`);
}

function exited(child: ChildProcess): Promise<void> {
  const gone = child.exitCode !== null || child.signalCode !== null;
  return gone ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Runs the four services against the given infrastructure: migrations first (as the Helm hook does), then each
 * service (compiled, unless in watch mode), waiting for its readiness, then the gateway in front of them (unless `gateway: false`).
 * Used by `npm run up` and by the end-to-end tests.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const ports = options.ports ?? defaultPorts;
  const gatewayPorts = options.gateway ?? (options.ports ? false : defaultGatewayPorts);
  const deployables: DeployableName[] = gatewayPorts ? [...serviceNames, 'gateway'] : [...serviceNames];
  const namespace = options.namespace ?? '';
  const discarded = options.discardDataOnStop ? namespaceData(namespace) : undefined;
  const logDir = options.logDir ?? path.join(dirs.run, 'services');
  const secrets = options.secrets ?? devSecrets(path.join(dirs.run, 'dev-secrets.json'));
  const envOptions: ServiceEnvOptions = {
    infra: options.infra,
    ports,
    secrets,
    namespace,
    logLevel: options.logLevel,
    extra: options.extra,
    otlpEndpoint: options.otlpEndpoint,
  };
  const children = new Map<DeployableName, ChildProcess>();
  const httpPort = (n: DeployableName) => (n === 'gateway' ? (gatewayPorts as ServicePorts).http : ports[n].http);
  const urls = Object.fromEntries(
    deployables.map((n) => [n, `http://127.0.0.1:${httpPort(n)}`]),
  ) as RunningPlatform['urls'];
  const logFiles = Object.fromEntries(
    deployables.map((n) => [n, path.join(logDir, `${n}.log`)]),
  ) as RunningPlatform['logFiles'];
  const envFor = (name: DeployableName) =>
    name === 'gateway' ? gatewayEnv(envOptions, gatewayPorts as ServicePorts) : serviceEnv(name, envOptions);

  async function start(name: DeployableName): Promise<void> {
    const env = envFor(name);
    const child = spawnService(name, env, logFiles[name]!, options.mode);
    children.set(name, child);
    await waitForReady(name, urls[name]!, child, logFiles[name]!);
  }

  async function stopOne(name: DeployableName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited(child);
  }

  const replicas: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    // The gateway first: it would only answer 503s for services that are already gone.
    await Promise.all(replicas.map((child) => (child.exitCode === null && child.kill('SIGTERM'), exited(child))));
    await stopOne('gateway');
    await Promise.all(serviceNames.map((name) => stopOne(name)));
    if (discarded) await deleteData(options.infra, discarded);
  };

  try {
    // The services' databases; the gateway keeps nothing.
    for (const name of serviceNames) {
      await runMigrations('up', {
        mongoUrl: envFor(name).MONGO_URL!,
        migrationsDir: path.join(serviceDir(name), 'migrations'),
      });
    }
    await start('user');
    await Promise.all(serviceNames.filter((n) => n !== 'user').map(start));
    if (gatewayPorts) await start('gateway');
  } catch (err) {
    // The start-up's error is the one to report, not a failed deletion on the infrastructure that may have caused it.
    await stop().catch(() => undefined);
    throw err;
  }

  return {
    urls,
    secrets,
    logFiles,
    metricsPorts: Object.fromEntries(
      deployables.map((n) => [n, n === 'gateway' ? (gatewayPorts as ServicePorts).metrics : ports[n].metrics]),
    ) as RunningPlatform['metricsPorts'],
    stop,
    async stopService(name, signal) {
      await stopOne(name, signal);
      return () => start(name);
    },
    async startReplica(name, replicaPorts, overrides = {}) {
      const base = name === 'gateway' ? gatewayEnv(envOptions, replicaPorts) : serviceEnv(name, envOptions);
      const env = {
        ...base,
        PORT: String(replicaPorts.http),
        METRICS_PORT: String(replicaPorts.metrics),
        ...overrides,
      };
      const logFile = path.join(logDir, `${name}-${replicas.length + 2}.log`);
      const child = spawnService(name, env, logFile, options.mode);
      replicas.push(child);
      const url = `http://127.0.0.1:${replicaPorts.http}`;
      await waitForReady(name, url, child, logFile);
      return url;
    },
  };
}
