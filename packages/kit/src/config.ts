import { isIP } from 'node:net';
import Joi from 'joi';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Variables every service reads; a service extends this with `baseConfigSchema.keys({...})`. */
export interface BaseConfig {
  SERVICE_NAME: string;
  HOST: string;
  PORT: number;
  METRICS_PORT: number;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How long in-flight work may take to finish after SIGTERM before the process gives up (the drain included). */
  SHUTDOWN_TIMEOUT_MS: number;
  /**
   * After SIGTERM, how long the service keeps serving, not ready and closing each kept-alive connection after its
   * answer, before it stops accepting (`app.drain`). 0 outside an orchestrator; the chart sets it.
   */
  SHUTDOWN_DRAIN_DELAY_MS: number;
  BODY_LIMIT_BYTES: number;
}

export const baseConfigSchema = Joi.object<BaseConfig>({
  SERVICE_NAME: Joi.string()
    .pattern(/^[a-z][a-z0-9-]*$/)
    .required(),
  // Containers must listen on all interfaces; loopback would make the pod unreachable.
  HOST: Joi.string().hostname().default('0.0.0.0'),
  PORT: Joi.number().port().default(3000),
  METRICS_PORT: Joi.number().port().default(9464),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  SHUTDOWN_TIMEOUT_MS: Joi.number().integer().min(100).max(120_000).default(10_000),
  SHUTDOWN_DRAIN_DELAY_MS: Joi.number().integer().min(0).less(Joi.ref('SHUTDOWN_TIMEOUT_MS')).default(0),
  BODY_LIMIT_BYTES: Joi.number().integer().min(1024).default(1_048_576),
});

/**
 * Validates the environment once, at start-up, against a joi schema and returns a frozen, typed object.
 * Every problem is reported at once (abortEarly: false), so an operator fixes a deployment in one go.
 * Unknown variables are ignored: the environment always holds more than this service reads.
 */
export function loadConfig<T extends object>(
  schema: Joi.ObjectSchema<T>,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<T> {
  const { value, error } = schema.validate(env, {
    abortEarly: false,
    allowUnknown: true,
    stripUnknown: true,
    convert: true,
    errors: { wrap: { label: false } },
  });
  if (error) {
    throw new ConfigError(error.details.map((d) => `${d.path.join('.')}: ${d.message}`));
  }
  return Object.freeze(value);
}

/**
 * A service's schema: the base variables plus its own, typed as the service's config interface.
 * `defineConfigSchema<OrderConfig>({ MONGO_URL: Joi.string().uri().required() })`
 */
export function defineConfigSchema<T extends BaseConfig>(
  keys: Joi.PartialSchemaMap<Omit<T, keyof BaseConfig>>,
): Joi.ObjectSchema<T> {
  return baseConfigSchema.keys(keys as Joi.PartialSchemaMap<BaseConfig>) as unknown as Joi.ObjectSchema<T>;
}

/** Connection settings shared by every service; spread the joi keys into a service's schema. */
export interface InfraConfig {
  MONGO_URL: string;
  REDIS_URL: string;
  /** Comma-separated `host:port` list. */
  KAFKA_BROKERS: string;
  /** Prefix for topic and consumer-group names (test isolation, shared dev brokers); empty in production. */
  KAFKA_TOPIC_PREFIX: string;
}

export const infraConfigKeys = {
  MONGO_URL: Joi.string()
    .uri({ scheme: ['mongodb', 'mongodb+srv'] })
    .required(),
  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .required(),
  KAFKA_BROKERS: Joi.string()
    .pattern(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/)
    .required(),
  KAFKA_TOPIC_PREFIX: Joi.string()
    .pattern(/^[\w.-]*$/)
    .allow('')
    .default(''),
};

/** The infrastructure keys of a deployable that keeps nothing in a database (the gateway): no MONGO_URL. */
export const databaseFreeInfraConfigKeys = (({ MONGO_URL: _mongoUrl, ...keys }) => keys)(infraConfigKeys);

/** How services verify access tokens issued by the user service. */
export interface AuthConfig {
  AUTH_JWKS_URL: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
}

export const authConfigKeys = {
  AUTH_JWKS_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .required(),
  AUTH_ISSUER: Joi.string().default('platform-user-service'),
  AUTH_AUDIENCE: Joi.string().default('platform-api'),
};

/** A comma-separated environment variable as a validated list; empty entries are dropped. */
export function commaList(isValid: (entry: string) => boolean, what: string): Joi.AnySchema {
  return Joi.string()
    .allow('')
    .default([])
    .custom(function splitList(value: string, helpers) {
      const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      const bad = entries.find((entry) => !isValid(entry));
      return bad === undefined ? entries : helpers.message({ custom: `"${bad}" is not ${what}` });
    });
}

export function isIpOrCidr(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

/** IPs and CIDRs, comma-separated: e.g. the proxies whose X-Forwarded-For a service believes. */
export const ipListKey = commaList(isIpOrCidr, 'an IP address or CIDR');

/** createApp's `trustProxy` from such a list: none trusted when empty. */
export function trustProxyFrom(list: readonly string[]): string[] | false {
  return list.length > 0 ? [...list] : false;
}
