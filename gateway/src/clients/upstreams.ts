import { createHttpClient, type HttpClient } from '@platform/kit';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from '../config';

export const upstreamNames = ['user', 'product', 'order', 'inventory'] as const;
export type UpstreamName = (typeof upstreamNames)[number];
export type Upstreams = Record<UpstreamName, HttpClient>;

const baseUrlKey: Record<UpstreamName, keyof GatewayConfig> = {
  user: 'USER_SERVICE_URL',
  product: 'PRODUCT_SERVICE_URL',
  order: 'ORDER_SERVICE_URL',
  inventory: 'INVENTORY_SERVICE_URL',
};

/**
 * One kit HTTP client per service: a keep-alive undici pool, a per-attempt timeout, retries for idempotent calls
 * only, a bulkhead and an opossum breaker, with the kit's upstream_* metrics labelled by service name. When a
 * service is down or its breaker is open, callers get a 503 problem with Retry-After at once instead of waiting.
 */
export function createUpstreams(config: Readonly<GatewayConfig>, registry: Registry, logger: Logger): Upstreams {
  const entries = upstreamNames.map((name) => {
    const client = createHttpClient({
      name,
      baseUrl: String(config[baseUrlKey[name]]),
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      retry: { attempts: config.UPSTREAM_RETRY_ATTEMPTS },
      breaker: { resetTimeout: config.BREAKER_RESET_TIMEOUT_MS, volumeThreshold: config.BREAKER_VOLUME_THRESHOLD },
      // A queue bounded in length and wait: a burst, or a stall of the gateway's own event loop (answers arrived
      // but not yet read hold their slots), waits a moment; a service too slow to free a slot within the wait sheds.
      bulkhead: {
        maxConcurrent: config.UPSTREAM_MAX_CONCURRENT,
        maxQueue: config.UPSTREAM_MAX_QUEUED,
        maxWaitMs: config.UPSTREAM_QUEUE_TIMEOUT_MS,
      },
      registry,
      logger,
    });
    return [name, client] as const;
  });
  return Object.fromEntries(entries) as Upstreams;
}
