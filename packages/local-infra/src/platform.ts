import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runMigrations } from '@platform/kit';
import type { InfraEnv } from './index';
import { dirs } from './paths';
import { InfraError, tail } from './process';
import {
  defaultPorts,
  devSecrets,
  serviceDir,
  serviceEnv,
  serviceNames,
  spawnService,
  type DevSecrets,
  type ServiceEnvOptions,
  type ServiceName,
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
}

export interface RunningPlatform {
  urls: Record<ServiceName, string>;
  secrets: DevSecrets;
  logFiles: Record<ServiceName, string>;
  /** SIGTERM to every service (graceful), then waits for them to exit. */
  stop(): Promise<void>;
  /** Stops one service (e.g. to test what its callers do without it) and returns a function that restarts it. */
  stopService(name: ServiceName): Promise<() => Promise<void>>;
}

async function waitForReady(name: ServiceName, url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new InfraError(`${name} exited with ${child.exitCode}:\n${tail(logFile)}`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(200);
  }
  throw new InfraError(`${name} not ready after 60 s:\n${tail(logFile)}`);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Runs the four services against the given infrastructure: migrations first (as the Helm hook does), then each
 * service from source, waiting for its readiness. Used by `npm run up` and by the end-to-end tests.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const ports = options.ports ?? defaultPorts;
  const namespace = options.namespace ?? '';
  const logDir = options.logDir ?? path.join(dirs.run, 'services');
  const secrets = options.secrets ?? devSecrets(path.join(dirs.run, 'dev-secrets.json'));
  const envOptions: ServiceEnvOptions = {
    infra: options.infra,
    ports,
    secrets,
    namespace,
    logLevel: options.logLevel,
    extra: options.extra,
  };
  const children = new Map<ServiceName, ChildProcess>();
  const urls = Object.fromEntries(serviceNames.map((n) => [n, `http://127.0.0.1:${ports[n].http}`])) as Record<
    ServiceName,
    string
  >;
  const logFiles = Object.fromEntries(serviceNames.map((n) => [n, path.join(logDir, `${n}.log`)])) as Record<
    ServiceName,
    string
  >;

  async function start(name: ServiceName): Promise<void> {
    const env = serviceEnv(name, envOptions);
    const child = spawnService(name, env, logFiles[name]);
    children.set(name, child);
    await waitForReady(name, urls[name], child, logFiles[name]);
  }

  async function stopOne(name: ServiceName): Promise<void> {
    const child = children.get(name);
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await exited(child);
  }

  const stop = async (): Promise<void> => {
    await Promise.all(serviceNames.map(stopOne));
  };

  try {
    for (const name of serviceNames) {
      await runMigrations('up', {
        mongoUrl: serviceEnv(name, envOptions).MONGO_URL!,
        migrationsDir: path.join(serviceDir(name), 'migrations'),
      });
    }
    await start('user');
    await Promise.all(serviceNames.filter((n) => n !== 'user').map(start));
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    urls,
    secrets,
    logFiles,
    stop,
    async stopService(name) {
      await stopOne(name);
      return () => start(name);
    },
  };
}
