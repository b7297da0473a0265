import Joi from 'joi';
import {
  authConfigKeys,
  defineConfigSchema,
  infraConfigKeys,
  type AuthConfig,
  type BaseConfig,
  type InfraConfig,
} from '@platform/kit';

export interface ProductConfig extends BaseConfig, InfraConfig, AuthConfig {
  /** Namespace of this service's cache keys in the shared Redis (tests use a unique one per file). */
  CACHE_KEY_PREFIX: string;
  /** How long a cached product lives; writes update the cache at once, so this only bounds memory and outages. */
  CACHE_TTL_SECONDS: number;
  /** Lists are invalidated on every write too; the short TTL only evicts pages nobody asks for any more. */
  LIST_CACHE_TTL_SECONDS: number;
  /** A cache call slower than this counts as a failure and the request reads the database instead. */
  CACHE_TIMEOUT_MS: number;
  /**
   * How long a shared cache (the gateway's edge cache, a CDN) may serve a catalogue answer without asking again
   * (`s-maxage`); browsers always revalidate (`max-age=0`, cheap with the ETag). 0: shared caches must not store.
   */
  SHARED_CACHE_MAX_AGE_SECONDS: number;
}

export const configSchema = defineConfigSchema<ProductConfig>({
  ...infraConfigKeys,
  ...authConfigKeys,
  CACHE_KEY_PREFIX: Joi.string()
    .pattern(/^[\w.:-]+$/)
    .default('product:'),
  CACHE_TTL_SECONDS: Joi.number().integer().min(1).max(86_400).default(300),
  LIST_CACHE_TTL_SECONDS: Joi.number().integer().min(1).max(3_600).default(30),
  CACHE_TIMEOUT_MS: Joi.number().integer().min(10).max(10_000).default(200),
  SHARED_CACHE_MAX_AGE_SECONDS: Joi.number().integer().min(0).max(3_600).default(5),
});
