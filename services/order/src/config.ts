import Joi from 'joi';
import {
  authConfigKeys,
  defineConfigSchema,
  infraConfigKeys,
  type AuthConfig,
  type BaseConfig,
  type InfraConfig,
} from '@platform/kit';

export interface OrderConfig extends BaseConfig, InfraConfig, AuthConfig {
  /** Base URL of the product service, where prices and product existence come from. */
  PRODUCT_SERVICE_URL: string;
  /** Deadline of one call to the product service; short, so a stuck upstream turns into a quick 503/504. */
  PRODUCT_SERVICE_TIMEOUT_MS: number;
  /** How long an Idempotency-Key is remembered (and a retry replays the first answer). */
  IDEMPOTENCY_KEY_RETENTION_HOURS: number;
  /** How often expired keys are purged (FerretDB has no TTL indexes). */
  IDEMPOTENCY_SWEEP_INTERVAL_MS: number;
}

export const configSchema = defineConfigSchema<OrderConfig>({
  ...infraConfigKeys,
  ...authConfigKeys,
  PRODUCT_SERVICE_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .required(),
  PRODUCT_SERVICE_TIMEOUT_MS: Joi.number().integer().min(50).max(10_000).default(1_000),
  IDEMPOTENCY_KEY_RETENTION_HOURS: Joi.number()
    .integer()
    .min(1)
    .max(24 * 30)
    .default(24),
  IDEMPOTENCY_SWEEP_INTERVAL_MS: Joi.number().integer().min(1_000).default(600_000),
});
