import Joi from 'joi';
import {
  authConfigKeys,
  defineConfigSchema,
  infraConfigKeys,
  type AuthConfig,
  type BaseConfig,
  type InfraConfig,
} from '@platform/kit';

export interface InventoryConfig extends BaseConfig, InfraConfig, AuthConfig {
  /** How long a reservation may wait for order.confirmed before the sweeper gives its stock back. */
  RESERVATION_TTL_MS: number;
  /** How often each replica looks for expired reservations. */
  RESERVATION_SWEEP_INTERVAL_MS: number;
}

export const configSchema = defineConfigSchema<InventoryConfig>({
  ...infraConfigKeys,
  ...authConfigKeys,
  RESERVATION_TTL_MS: Joi.number()
    .integer()
    .min(1_000)
    .max(7 * 24 * 3_600_000)
    .default(15 * 60_000),
  RESERVATION_SWEEP_INTERVAL_MS: Joi.number().integer().min(50).max(3_600_000).default(30_000),
});
