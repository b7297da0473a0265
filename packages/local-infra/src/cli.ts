/* eslint-disable no-console -- a command-line tool talks to its terminal */
import {
  createFerretDb,
  createJaeger,
  createPrometheus,
  ensureInfra,
  infraEnv,
  infraStatus,
  localInfra,
  resetInfra,
  scrapeTargets,
  stopInfra,
  type InfraEnv,
} from './index';
import type { RunningPlatform } from './platform';
import type { RunMode } from './services';
import { defaultGatewayPorts, defaultPorts } from './services';

const usage =
  'usage: local-infra up [--foreground] [--services] [--observability] [--watch] | down | reset | status | install';

/**
 * Jaeger and Prometheus of `up --observability`. Prometheus scrapes the ports of `npm run up` unless given the
 * running platform's.
 */
function observability(metricsPorts?: RunningPlatform['metricsPorts']) {
  const ports = metricsPorts ?? {
    ...Object.fromEntries(Object.entries(defaultPorts).map(([name, p]) => [name, p.metrics])),
    gateway: defaultGatewayPorts.metrics,
  };
  return { jaeger: createJaeger(), prometheus: createPrometheus({ targets: scrapeTargets(ports) }) };
}

async function printStatus(): Promise<boolean> {
  const status = await infraStatus();
  for (const s of status) {
    console.log(`${s.name.padEnd(8)} ${s.up ? 'up  ' : 'down'}  ${s.url}${s.external ? '  (external)' : ''}`);
  }
  // Optional (`up --observability`): listed when running, never part of the exit code.
  const { jaeger, prometheus } = observability();
  if (await jaeger.probe()) console.log(`jaeger   up    ${jaeger.queryUrl}  (query API; OTLP at ${jaeger.url})`);
  if (await prometheus.probe()) console.log(`prometheus up    ${prometheus.url}`);
  return status.every((s) => s.up);
}

async function startServices(env: InfraEnv, mode: RunMode, otlpEndpoint?: string): Promise<RunningPlatform> {
  // Loaded only here: it needs the built kit, which plain infrastructure commands (and jest's setup) must not.
  const { startPlatform } = await import('./platform.js');
  console.log('starting services (migrations first)...');
  const platform = await startPlatform({ infra: env, otlpEndpoint, mode });
  for (const [name, url] of Object.entries(platform.urls))
    console.log(`${name.padEnd(10)} ${url}  (logs: ${platform.logFiles[name as keyof typeof platform.urls]})`);
  console.log(
    `first admin: ${platform.secrets.ADMIN_EMAIL} / ${platform.secrets.ADMIN_PASSWORD} (local only, in .local/run/dev-secrets.json)`,
  );
  return platform;
}

async function up(
  foreground: boolean,
  withServices: boolean,
  withObservability: boolean,
  mode: RunMode,
): Promise<void> {
  const components = localInfra();
  const started = await ensureInfra(components);
  console.log(
    started.length === 0 ? 'local-infra: already running, nothing to do' : `local-infra: started ${started.join(', ')}`,
  );
  await printStatus();
  const env = infraEnv(components);
  console.log(
    Object.entries(env)
      .map(([k, v]) => `export ${k}=${v}`)
      .join('\n'),
  );
  // The trace backend first, so the services' first spans have somewhere to go; Prometheus once their ports are known.
  const jaeger = withObservability ? observability().jaeger : undefined;
  await jaeger?.start();
  const platform = withServices ? await startServices(env, mode, jaeger?.url) : undefined;
  const prometheus = withObservability ? observability(platform?.metricsPorts).prometheus : undefined;
  await prometheus?.start();
  if (jaeger && prometheus) {
    console.log(`traces:  ${jaeger.queryUrl}/api/traces?service=order-service  (query API; OTLP in at ${jaeger.url})`);
    console.log(`metrics: ${prometheus.url}/targets, alerts: ${prometheus.url}/api/v1/alerts`);
  }
  if (!foreground) return;
  console.log('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    // `on`, not `once`: one Ctrl-C can arrive more than once (the terminal signals the whole process group, and npm
    // and tsx relay it too), and a second signal with no handler left would kill this process halfway through
    // stopping, leaving the infrastructure it started running with nobody to stop it.
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  await platform?.stop();
  await Promise.all([prometheus?.stop(), jaeger?.stop()]);
  // Only what this command started: infrastructure that was already up (`infra:up`, another checkout) stays up.
  await stopInfra(components, started);
  console.log(
    started.length === 0
      ? 'local-infra: left the infrastructure running'
      : `local-infra: stopped ${started.join(', ')}`,
  );
}

async function main(): Promise<void> {
  const [command, ...flags] = process.argv.slice(2);
  switch (command) {
    case 'up':
      return up(
        flags.includes('--foreground'),
        flags.includes('--services'),
        flags.includes('--observability'),
        flags.includes('--watch') ? 'watch' : 'built',
      );
    case 'down': {
      const { jaeger, prometheus } = observability();
      await Promise.all([stopInfra(), prometheus.stop(), jaeger.stop()]);
      console.log('local-infra: stopped');
      return;
    }
    case 'reset': {
      // Local data only: the servers MONGO_URL, KAFKA_BROKERS or REDIS_URL name are never stopped or wiped.
      const { jaeger, prometheus } = observability();
      const wiped = await resetInfra([...localInfra(), prometheus, jaeger]);
      console.log(`local-infra: stopped; deleted ${wiped.length > 0 ? wiped.join(', ') : 'nothing (no local data)'}`);
      return;
    }
    case 'install': {
      // Downloads and builds everything, starts nothing: CI runs it before the tests so no test waits on a Go build.
      // FerretDB too: no longer the local database, but test/indexes.test.ts and bench:db start private ones.
      const { jaeger, prometheus } = observability();
      const ferretDb = createFerretDb({ useEnv: false });
      for (const component of [...localInfra(), ferretDb, jaeger, prometheus]) await component.install();
      console.log('local-infra: installed');
      return;
    }
    case 'status':
      process.exitCode = (await printStatus()) ? 0 : 3;
      return;
    default:
      console.error(usage);
      process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
