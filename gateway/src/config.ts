import Joi from 'joi';
import {
  authConfigKeys,
  commaList,
  defineConfigSchema,
  databaseFreeInfraConfigKeys,
  ipListKey,
  type AuthConfig,
  type BaseConfig,
  type InfraConfig,
} from '@platform/kit';

/** No MONGO_URL: the gateway keeps nothing in a database (see app.ts). */
export interface GatewayConfig extends BaseConfig, Omit<InfraConfig, 'MONGO_URL'>, AuthConfig {
  USER_SERVICE_URL: string;
  PRODUCT_SERVICE_URL: string;
  ORDER_SERVICE_URL: string;
  INVENTORY_SERVICE_URL: string;
  /** How long an upstream may take to start answering, and to pause within a body: a stuck service is a quick 504. */
  UPSTREAM_TIMEOUT_MS: number;
  /** Attempts per idempotent call (GET, or a request with an Idempotency-Key), the first included. */
  UPSTREAM_RETRY_ATTEMPTS: number;
  /** Calls in flight per upstream (also its keep-alive pool size); beyond that a call queues for a slot. */
  UPSTREAM_MAX_CONCURRENT: number;
  /** Calls per upstream that may wait for a slot; beyond that the gateway sheds with 503 at once. */
  UPSTREAM_MAX_QUEUED: number;
  /** Longest a call waits for a slot before it is shed with 503 (the upstream is slow, not just busy). */
  UPSTREAM_QUEUE_TIMEOUT_MS: number;
  /** How long an open breaker fails fast before letting one probe through. */
  BREAKER_RESET_TIMEOUT_MS: number;
  /** Attempts in the rolling window before the failure percentage may open the breaker. */
  BREAKER_VOLUME_THRESHOLD: number;
  /** Longest time the gateway waits for a client to send its whole request. */
  REQUEST_TIMEOUT_MS: number;
  /** Browser origins allowed to call the API (CORS), comma-separated; empty allows none. */
  CORS_ORIGINS: string[];
  /** Proxies (IPs/CIDRs, comma-separated) whose X-Forwarded-For is believed; empty trusts none. */
  TRUSTED_PROXIES: string[];
  /** Internal callers (IPs/CIDRs, comma-separated) that no rate limit applies to. */
  RATE_LIMIT_ALLOWLIST: string[];
  /** Calls per client IP and window, counted before authentication: anonymous floods and failed-auth floods. */
  RATE_LIMIT_IP_MAX: number;
  /** Calls per user and window, once a token identified the caller. */
  RATE_LIMIT_MAX: number;
  RATE_LIMIT_WINDOW_MS: number;
  /**
   * Longest an anonymous call far below its limit, which does not wait for Redis, stays uncounted there: such
   * counts go with the next call that waits, or after this long. Longer: fewer Redis calls; other replicas see
   * this one's calls that much later.
   */
  RATE_LIMIT_SYNC_MS: number;
  /**
   * How long a forwarded call may go on without reading its token's deny-list entry again after this replica
   * found it not revoked, on routes where the service behind decides alone (0: every call waits for the read). The
   * service reads the deny-list itself, so a longer view only moves the refusal of a revoked token one hop inward.
   */
  REVOCATION_VIEW_MS: number;
  /** Login, register and refresh: per client IP and account, against credential stuffing. */
  AUTH_RATE_LIMIT_MAX: number;
  AUTH_RATE_LIMIT_WINDOW_MS: number;
  /** Responses at least this large are compressed when the client accepts it. */
  COMPRESSION_THRESHOLD_BYTES: number;
  /**
   * Memory for the edge cache of each service's cacheable answers (those its Cache-Control makes fresh for a
   * shared cache); 0 turns the cache off.
   */
  EDGE_CACHE_MAX_MB: number;
  /** Larger answers are never cached. */
  EDGE_CACHE_MAX_ENTRY_KB: number;
  /** Comment lines on open SSE streams, so proxies and load balancers do not cut idle connections. */
  SSE_HEARTBEAT_MS: number;
  /** An SSE stream is closed after this long; EventSource reconnects and gets the current status first. */
  SSE_MAX_DURATION_MS: number;
  /** Order status streams one user may hold open on one replica; more are refused with 429. */
  SSE_MAX_STREAMS_PER_USER: number;
  /** How often the merged OpenAPI document is rebuilt from the services' documents. */
  OPENAPI_REFRESH_MS: number;
  /** How soon to try again while some service's document could not be fetched. */
  OPENAPI_RETRY_MS: number;
}

function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    // An origin is scheme://host[:port], nothing more: a trailing path would never match a browser's Origin header.
    return ['http:', 'https:'].includes(url.protocol) && url.origin === entry;
  } catch {
    return false;
  }
}

const serviceUrl = Joi.string()
  .uri({ scheme: ['http', 'https'] })
  .required();

export const configSchema = defineConfigSchema<GatewayConfig>({
  ...databaseFreeInfraConfigKeys,
  ...authConfigKeys,
  USER_SERVICE_URL: serviceUrl,
  PRODUCT_SERVICE_URL: serviceUrl,
  ORDER_SERVICE_URL: serviceUrl,
  INVENTORY_SERVICE_URL: serviceUrl,
  UPSTREAM_TIMEOUT_MS: Joi.number().integer().min(50).max(60_000).default(5_000),
  UPSTREAM_RETRY_ATTEMPTS: Joi.number().integer().min(1).max(5).default(2),
  UPSTREAM_MAX_CONCURRENT: Joi.number().integer().min(1).max(10_000).default(200),
  UPSTREAM_MAX_QUEUED: Joi.number().integer().min(0).max(100_000).default(1_000),
  UPSTREAM_QUEUE_TIMEOUT_MS: Joi.number().integer().min(1).max(60_000).default(1_000),
  BREAKER_RESET_TIMEOUT_MS: Joi.number().integer().min(100).max(300_000).default(10_000),
  BREAKER_VOLUME_THRESHOLD: Joi.number().integer().min(1).max(1_000).default(10),
  REQUEST_TIMEOUT_MS: Joi.number().integer().min(1_000).max(300_000).default(30_000),
  CORS_ORIGINS: commaList(isOrigin, 'an origin (scheme://host[:port])'),
  TRUSTED_PROXIES: ipListKey,
  RATE_LIMIT_ALLOWLIST: ipListKey,
  RATE_LIMIT_IP_MAX: Joi.number().integer().min(1).default(300),
  RATE_LIMIT_MAX: Joi.number().integer().min(1).default(100),
  RATE_LIMIT_WINDOW_MS: Joi.number().integer().min(1_000).default(60_000),
  RATE_LIMIT_SYNC_MS: Joi.number().integer().min(0).max(5_000).default(100),
  REVOCATION_VIEW_MS: Joi.number().integer().min(0).max(60_000).default(1_000),
  AUTH_RATE_LIMIT_MAX: Joi.number().integer().min(1).default(5),
  AUTH_RATE_LIMIT_WINDOW_MS: Joi.number()
    .integer()
    .min(1_000)
    .default(15 * 60_000),
  COMPRESSION_THRESHOLD_BYTES: Joi.number().integer().min(0).default(1_024),
  EDGE_CACHE_MAX_MB: Joi.number().min(0).max(4_096).default(32),
  EDGE_CACHE_MAX_ENTRY_KB: Joi.number().integer().min(1).max(10_240).default(256),
  SSE_HEARTBEAT_MS: Joi.number().integer().min(100).max(120_000).default(15_000),
  SSE_MAX_DURATION_MS: Joi.number()
    .integer()
    .min(1_000)
    .default(30 * 60_000),
  SSE_MAX_STREAMS_PER_USER: Joi.number().integer().min(1).max(1_000).default(5),
  OPENAPI_REFRESH_MS: Joi.number()
    .integer()
    .min(1_000)
    .default(5 * 60_000),
  OPENAPI_RETRY_MS: Joi.number().integer().min(100).default(5_000),
});
