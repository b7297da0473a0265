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
  /** How often each replica looks for releases a crash interrupted, and finishes them. */
  RESERVATION_SWEEP_INTERVAL_MS: number;
}

export const configSchema = defineConfigSchema<InventoryConfig>({
  ...infraConfigKeys,
  ...authConfigKeys,
  RESERVATION_SWEEP_INTERVAL_MS: Joi.number().integer().min(50).max(3_600_000).default(30_000),
});
