import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { InfraEnv } from './index';
import { repoRoot } from './paths';

/** The deployables in start order: the user service first, because the others fetch its JWKS. */
export const serviceNames = ['user', 'product', 'inventory', 'order'] as const;
export type ServiceName = (typeof serviceNames)[number];
/** The services plus the gateway, which starts after them (it needs the user service's JWKS and their OpenAPI). */
export type DeployableName = ServiceName | 'gateway';

export interface ServicePorts {
  http: number;
  metrics: number;
}

/** The ports of `npm run up` (see README): gateway 3000, user 3001 ... and metrics 9100 + the same last digit. */
export const defaultPorts: Record<ServiceName, ServicePorts> = {
  user: { http: 3001, metrics: 9101 },
  product: { http: 3002, metrics: 9102 },
  order: { http: 3003, metrics: 9103 },
  inventory: { http: 3004, metrics: 9104 },
};

export const defaultGatewayPorts: ServicePorts = { http: 3000, metrics: 9100 };

export interface DevSecrets {
  JWT_PRIVATE_KEY: string;
  JWT_KEY_ID: string;
  ADMIN_EMAIL: string;
  ADMIN_PASSWORD: string;
}

/** A signing key and first-admin credentials for local runs only, generated once into the git-ignored folder. */
export function devSecrets(file: string): DevSecrets {
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as DevSecrets;
  const { privateKey } = generateKeyPairSync('ed25519');
  const secrets: DevSecrets = {
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    JWT_KEY_ID: `dev-${randomUUID().slice(0, 8)}`,
    ADMIN_EMAIL: 'admin@platform.local',
    ADMIN_PASSWORD: `dev-${randomUUID()}`,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export interface ServiceEnvOptions {
  infra: InfraEnv;
  ports: Record<ServiceName, ServicePorts>;
  secrets: DevSecrets;
  /** Database name prefix and Kafka topic prefix; empty for `npm run up`, unique per e2e test file. */
  namespace: string;
  logLevel?: string;
  extra?: Partial<Record<DeployableName, NodeJS.ProcessEnv>>;
  /** OTLP/HTTP endpoint (e.g. a local Jaeger) the deployables export their spans to; without it none are exported. */
  otlpEndpoint?: string;
}

/** OTEL_EXPORTER_OTLP_ENDPOINT when there is a trace backend, as the chart sets it from `global.platform.otel`. */
function tracingEnv(options: ServiceEnvOptions): NodeJS.ProcessEnv {
  return options.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint } : {};
}

/** A service's database: `<namespace>_<service>`, or the service's name alone in `npm run up`'s empty namespace. */
export function databaseName(namespace: string, service: ServiceName): string {
  return namespace ? `${namespace}_${service}` : service;
}

/** What every Kafka topic of a namespace starts with: `<namespace>.`, nothing in `npm run up`'s empty namespace. */
export function topicPrefix(namespace: string): string {
  return namespace ? `${namespace}.` : '';
}

function mongoUrlFor(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The environment each service gets: what a Helm chart's ConfigMap and Secret would hold in a cluster. */
export function serviceEnv(name: ServiceName, options: ServiceEnvOptions): NodeJS.ProcessEnv {
  const { infra, ports, namespace } = options;
  const userUrl = `http://127.0.0.1:${ports.user.http}`;
  const common: NodeJS.ProcessEnv = {
    SERVICE_NAME: `${name}-service`,
    HOST: '127.0.0.1',
    PORT: String(ports[name].http),
    METRICS_PORT: String(ports[name].metrics),
    LOG_LEVEL: options.logLevel ?? 'info',
    MONGO_URL: mongoUrlFor(infra.MONGO_URL, databaseName(namespace, name)),
    REDIS_URL: infra.REDIS_URL,
    KAFKA_BROKERS: infra.KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: topicPrefix(namespace),
    AUTH_JWKS_URL: `${userUrl}/.well-known/jwks.json`,
    ...tracingEnv(options),
  };
  const specific: Record<ServiceName, NodeJS.ProcessEnv> = {
    user: {
      JWT_PRIVATE_KEY: options.secrets.JWT_PRIVATE_KEY,
      JWT_KEY_ID: options.secrets.JWT_KEY_ID,
      ADMIN_EMAIL: options.secrets.ADMIN_EMAIL,
      ADMIN_PASSWORD: options.secrets.ADMIN_PASSWORD,
      // The gateway, on loopback: its X-Forwarded-For names the client whose failed logins the lockout counts.
      TRUSTED_PROXIES: '127.0.0.1',
    },
    product: {},
    inventory: {},
    order: { PRODUCT_SERVICE_URL: `http://127.0.0.1:${ports.product.http}` },
  };
  return { ...common, ...specific[name], ...options.extra?.[name] };
}

/** The gateway's environment: the services' URLs, and a small database of its own for consumed-event marks. */
export function gatewayEnv(options: ServiceEnvOptions, gatewayPorts: ServicePorts): NodeJS.ProcessEnv {
  const { infra, ports, namespace } = options;
  const url = (name: ServiceName) => `http://127.0.0.1:${ports[name].http}`;
  return {
    SERVICE_NAME: 'gateway',
    HOST: '127.0.0.1',
    PORT: String(gatewayPorts.http),
    METRICS_PORT: String(gatewayPorts.metrics),
    LOG_LEVEL: options.logLevel ?? 'info',
    REDIS_URL: infra.REDIS_URL,
    KAFKA_BROKERS: infra.KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: topicPrefix(namespace),
    AUTH_JWKS_URL: `${url('user')}/.well-known/jwks.json`,
    USER_SERVICE_URL: url('user'),
    PRODUCT_SERVICE_URL: url('product'),
    ORDER_SERVICE_URL: url('order'),
    INVENTORY_SERVICE_URL: url('inventory'),
    ...tracingEnv(options),
    ...options.extra?.gateway,
  };
}

export function serviceDir(name: DeployableName): string {
  return name === 'gateway' ? path.join(repoRoot, 'gateway') : path.join(repoRoot, 'services', name);
}

/**
 * Runs a service from source, as `node --import <tracing> server` does in the image, with tsx compiling TypeScript
 * on the fly. Output goes to `logFile` (JSON lines), so a developer can tail or grep it.
 */
/**
 * The image's command after `node` (see the Dockerfile's CMD; a test keeps the two equal). The young generation
 * is capped at 4 MB per semi-space: V8 sizes it from the machine's memory, which kept each deployable's idle RSS
 * near 170 MB. No warning is silenced: the TimeoutNegativeWarning kafkajs 2.2.4 caused was a 1 ms timer loop, now
 * fixed in the kit (packages/kit/src/kafka/request-queue-patch.ts).
 */
export const nodeFlags = ['--max-semi-space-size=4'];
export const imageCommand = [...nodeFlags, '--import', '@platform/kit/tracing', 'dist/server.js'];

/**
 * How a deployable runs: `built` is what users run everywhere (the image's command: compiled JavaScript with
 * tracing loaded first), `watch` runs the TypeScript sources through tsx and restarts on every change.
 */
export type RunMode = 'built' | 'watch';

function commandFor(name: DeployableName, mode: RunMode): string[] {
  const dir = serviceDir(name);
  if (mode === 'watch') {
    const tracing = path.join(repoRoot, 'packages', 'kit', 'src', 'tracing', 'register.ts');
    return ['--watch', ...nodeFlags, '--import', 'tsx', '--import', tracing, path.join(dir, 'src', 'server.ts')];
  }
  const server = path.join(dir, 'dist', 'server.js');
  if (!fs.existsSync(server)) throw new Error(`${server} is missing: build first (npm run build)`);
  return imageCommand;
}

export function spawnService(
  name: DeployableName,
  env: NodeJS.ProcessEnv,
  logFile: string,
  mode: RunMode = 'built',
): ChildProcess {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, commandFor(name, mode), {
    // The workspace's folder, as in the image: `@platform/kit/tracing` resolves from its node_modules.
    cwd: serviceDir(name),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', out, out],
    // Its own process group: Ctrl-C reaches only the launcher, which then stops each service with one SIGTERM
    // (a service that got the terminal's SIGINT and then the launcher's SIGTERM would take it as a second signal).
    detached: true,
  });
  fs.closeSync(out);
  // Never leave a service behind when the launcher exits, however it exits.
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}
