import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface HttpRetryOptions {
  /** Total attempts, the first one included: 1 turns retries off. */
  attempts: number;
  /** Ceiling of the first retry's delay; it doubles per retry up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Longest Retry-After still waited for before a retry; a longer one ends the retries and is handed on to the
   * caller, so one answer cannot park a call. Default 1 s: a caller waiting on us should not wait longer.
   */
  maxRetryAfterMs: number;
}

/**
 * opossum's options, minus its `timeout`: opossum only stops waiting for a slow call, it does not cancel it,
 * so the socket would stay busy. The client's `timeoutMs` aborts the request instead, and the breaker counts that
 * as a failure.
 */
export interface HttpBreakerOptions {
  /** Failure percentage within the rolling window above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Calls needed in the window before the percentage is trusted, so two early failures do not open it. */
  volumeThreshold: number;
  /** How long the breaker stays open before letting one probe call through (ms). */
  resetTimeout: number;
  /** Length of the rolling statistics window (ms). */
  rollingCountTimeout: number;
}

export interface HttpBulkheadOptions {
  /** Calls in flight at once to this upstream; also the size of its connection pool. */
  maxConcurrent: number;
  /** Calls allowed to wait for a free slot; beyond that they are rejected at once. */
  maxQueue: number;
  /** Longest a queued call waits for a slot before it is rejected (ms). */
  maxWaitMs: number;
}

export interface HttpClientOptions {
  /** Upstream name: the `upstream` label on metrics and the prefix of error details. Unique per registry. */
  name: string;
  /** Origin plus an optional path prefix, e.g. `http://product:3000` or `http://product:3000/api`. */
  baseUrl: string;
  /** Deadline of one attempt, from connecting to reading the last byte of the body. */
  timeoutMs?: number;
  retry?: Partial<HttpRetryOptions>;
  breaker?: Partial<HttpBreakerOptions>;
  bulkhead?: Partial<HttpBulkheadOptions>;
  registry: Registry;
  /** Receives breaker state changes at warn level. */
  logger?: Logger;
  /** Source of jitter in [0, 1); injected by tests to make delays deterministic. */
  random?: () => number;
  /** Waits between attempts; injected by tests so they neither wait nor depend on timing. */
  sleep?: (ms: number) => Promise<void>;
}

export type ResolvedHttpClientOptions = Required<
  Omit<HttpClientOptions, 'logger' | 'retry' | 'breaker' | 'bulkhead'>
> & {
  logger: Logger | undefined;
  retry: HttpRetryOptions;
  breaker: HttpBreakerOptions;
  bulkhead: HttpBulkheadOptions;
};

const DEFAULT_RETRY: HttpRetryOptions = { attempts: 3, baseDelayMs: 100, maxDelayMs: 2_000, maxRetryAfterMs: 1_000 };

const DEFAULT_BREAKER: HttpBreakerOptions = {
  errorThresholdPercentage: 50,
  volumeThreshold: 10,
  resetTimeout: 10_000,
  rollingCountTimeout: 10_000,
};

// No queue by default: when an upstream is slow, waiting callers only add latency to answers that will be late anyway.
// A client that queues waits at most a second, as for a Retry-After (maxRetryAfterMs).
const DEFAULT_BULKHEAD: HttpBulkheadOptions = { maxConcurrent: 20, maxQueue: 0, maxWaitMs: 1_000 };

function sleep(ms: number): Promise<void> {
  return sleepFor(ms);
}

function requirePositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer, got ${value}`);
}

export function resolveOptions(options: HttpClientOptions): ResolvedHttpClientOptions {
  const resolved: ResolvedHttpClientOptions = {
    name: options.name,
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 3_000,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    breaker: { ...DEFAULT_BREAKER, ...options.breaker },
    bulkhead: { ...DEFAULT_BULKHEAD, ...options.bulkhead },
    registry: options.registry,
    logger: options.logger,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? sleep,
  };
  // Misconfiguration is a programmer error: fail when the client is built, not on the first call.
  requirePositiveInteger(resolved.timeoutMs, `${options.name}: timeoutMs`);
  requirePositiveInteger(resolved.retry.attempts, `${options.name}: retry.attempts`);
  requirePositiveInteger(resolved.bulkhead.maxConcurrent, `${options.name}: bulkhead.maxConcurrent`);
  requirePositiveInteger(resolved.bulkhead.maxWaitMs, `${options.name}: bulkhead.maxWaitMs`);
  return resolved;
}
