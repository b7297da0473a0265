import Joi from 'joi';
import type { JWK } from 'jose';
import {
  authConfigKeys,
  defineConfigSchema,
  infraConfigKeys,
  ipListKey,
  type AuthConfig,
  type BaseConfig,
  type InfraConfig,
} from '@platform/kit';
import { passwordWeakness } from './domain/password-policy';

/** The user service issues the tokens, so it verifies them with its own keys and reads no AUTH_JWKS_URL. */
export interface UserConfig extends BaseConfig, InfraConfig, Omit<AuthConfig, 'AUTH_JWKS_URL'> {
  /** PKCS8 PEM of the Ed25519 key that signs access tokens. */
  JWT_PRIVATE_KEY: string;
  /** `kid` of that key, published in the JWKS; change it with every new key. */
  JWT_KEY_ID: string;
  /** Public JWKs of retired keys, still published (and accepted) until tokens signed with them have expired. */
  JWT_PREVIOUS_PUBLIC_KEYS: JWK[];
  ACCESS_TOKEN_TTL_SECONDS: number;
  REFRESH_TOKEN_TTL_DAYS: number;
  /** First admin, ensured at start-up: created if missing, promoted if it exists. */
  ADMIN_EMAIL?: string;
  ADMIN_PASSWORD?: string;
  /**
   * Proxies (IPs/CIDRs) whose X-Forwarded-For is believed: the gateway. The lockout counts failures per account
   * and client address, so behind the gateway the service must see the client's address, not the gateway's.
   */
  TRUSTED_PROXIES: string[];
}

const publicJwk = Joi.object({
  kty: Joi.string().valid('OKP').required(),
  crv: Joi.string().valid('Ed25519').required(),
  x: Joi.string().base64({ urlSafe: true, paddingRequired: false }).required(),
  kid: Joi.string().required(),
  // A private part here would end up in the public JWKS.
  d: Joi.forbidden(),
}).unknown(true);

/** Environment variables are strings: the previous keys arrive as a JSON array. */
function parsePreviousKeys(value: string, helpers: Joi.CustomHelpers): JWK[] | Joi.ErrorReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return helpers.message({ custom: 'must be a JSON array of public JWKs' });
  }
  const { value: keys, error } = Joi.array().items(publicJwk).validate(parsed);
  if (error) return helpers.message({ custom: `must be a JSON array of Ed25519 public JWKs: ${error.message}` });
  return keys as JWK[];
}

/** An admin password configured by an operator follows the same rules as anyone else's. */
function adminPasswordIsStrong(config: UserConfig, helpers: Joi.CustomHelpers): UserConfig | Joi.ErrorReport {
  if (!config.ADMIN_EMAIL || !config.ADMIN_PASSWORD) return config;
  const weakness = passwordWeakness(config.ADMIN_PASSWORD, config.ADMIN_EMAIL.toLowerCase());
  if (weakness) return helpers.message({ custom: `ADMIN_PASSWORD is too weak: ${weakness.message}` });
  return config;
}

export const configSchema = defineConfigSchema<UserConfig>({
  ...infraConfigKeys,
  AUTH_ISSUER: authConfigKeys.AUTH_ISSUER,
  AUTH_AUDIENCE: authConfigKeys.AUTH_AUDIENCE,
  JWT_PRIVATE_KEY: Joi.string()
    // A PEM squeezed onto one line of a .env file keeps its line breaks as "\n".
    .replace(/\\n/g, '\n')
    .pattern(/^-----BEGIN PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END PRIVATE KEY-----\s*$/, 'PKCS8 PEM')
    .required(),
  JWT_KEY_ID: Joi.string()
    .pattern(/^[\w.-]{1,64}$/)
    .required(),
  JWT_PREVIOUS_PUBLIC_KEYS: Joi.string().custom(parsePreviousKeys).default([]),
  ACCESS_TOKEN_TTL_SECONDS: Joi.number().integer().min(60).max(3_600).default(900),
  REFRESH_TOKEN_TTL_DAYS: Joi.number().integer().min(1).max(365).default(30),
  ADMIN_EMAIL: Joi.string().email({ tlds: false }).max(254),
  ADMIN_PASSWORD: Joi.string().max(128),
  TRUSTED_PROXIES: ipListKey,
})
  .and('ADMIN_EMAIL', 'ADMIN_PASSWORD')
  .custom(adminPasswordIsStrong);
