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
  /** The saga's deadline: an order PENDING for longer is REJECTED with reason TIMEOUT (and its stock released). */
  ORDER_PENDING_TIMEOUT_MS: number;
  /** How often each replica looks for orders past the deadline. */
  ORDER_DEADLINE_SWEEP_INTERVAL_MS: number;
  /**
   * Admission control: while this many orders (or more) are in the saga, new orders get 503 ORDER_BACKLOG_FULL
   * with Retry-After instead of a longer queue; 0 turns it off. Size it to a few seconds of the saga's throughput.
   */
  ORDER_BACKLOG_LIMIT: number;
  /** How often each replica counts that backlog. */
  ORDER_BACKLOG_PROBE_INTERVAL_MS: number;
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
  ORDER_PENDING_TIMEOUT_MS: Joi.number()
    .integer()
    .min(1_000)
    .max(24 * 3_600_000)
    .default(300_000),
  ORDER_DEADLINE_SWEEP_INTERVAL_MS: Joi.number().integer().min(50).max(3_600_000).default(10_000),
  ORDER_BACKLOG_LIMIT: Joi.number().integer().min(0).max(1_000_000).default(100),
  ORDER_BACKLOG_PROBE_INTERVAL_MS: Joi.number().integer().min(50).max(60_000).default(500),
});
