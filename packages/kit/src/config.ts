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
  /** How long in-flight work may take to finish after SIGTERM before the process gives up. */
  SHUTDOWN_TIMEOUT_MS: number;
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
