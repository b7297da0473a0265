import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import type { HttpBreakerOptions } from './options';
import type { BreakerState, UpstreamMetrics } from './upstream-metrics';

export interface UpstreamBreaker {
  run<T>(task: () => Promise<T>): Promise<T>;
  state(): BreakerState;
  /** Whole seconds until the breaker lets a probe through: what our own callers should wait before trying again. */
  retryAfterSeconds(): number;
  shutdown(): void;
}

export interface CreateBreakerOptions {
  name: string;
  options: HttpBreakerOptions;
  /** Which errors say the upstream is unhealthy. Anything else (our own bugs, bad input) must not open the breaker. */
  isFailure(err: unknown): boolean;
  metrics: UpstreamMetrics;
  logger: Logger | undefined;
}

/** opossum's code for a call refused because the breaker is open, or half-open with its probe already in flight. */
export function isBreakerOpenError(err: unknown): boolean {
  return err instanceof Error && (err as Error & { code?: string }).code === 'EOPENBREAKER';
}

function runTask(task: () => Promise<unknown>): Promise<unknown> {
  return task();
}

/**
 * One opossum breaker per upstream. It wraps a single attempt, not a call with its retries, so every attempt
 * counts in the statistics and a retry loop stops as soon as the breaker opens.
 */
export function createBreaker({ name, options, isFailure, metrics, logger }: CreateBreakerOptions): UpstreamBreaker {
  const breaker = new CircuitBreaker<[() => Promise<unknown>], unknown>(runTask, {
    name,
    ...options,
    timeout: false,
    errorFilter: (err: unknown) => !isFailure(err),
  });
  let openedAt = 0;

  breaker.on('open', function onBreakerOpen() {
    openedAt = Date.now();
    metrics.breakerState('open');
    metrics.breakerOpened();
    logger?.warn(
      { upstream: name, resetTimeoutMs: options.resetTimeout },
      'circuit breaker opened: calls to upstream fail fast',
    );
  });
  breaker.on('halfOpen', function onBreakerHalfOpen() {
    metrics.breakerState('half-open');
    logger?.warn({ upstream: name }, 'circuit breaker half-open: the next call probes the upstream');
  });
  breaker.on('close', function onBreakerClose() {
    metrics.breakerState('closed');
    logger?.warn({ upstream: name }, 'circuit breaker closed: upstream answers again');
  });
  breaker.on('reject', function onBreakerReject() {
    metrics.breakerRejected();
  });

  function state(): BreakerState {
    if (breaker.opened) return 'open';
    if (breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  function retryAfterSeconds(): number {
    const remainingMs = breaker.opened ? options.resetTimeout - (Date.now() - openedAt) : 0;
    // At least one second: half-open with its probe in flight still refuses calls, and "0" invites an instant retry.
    return Math.max(1, Math.ceil(remainingMs / 1000));
  }

  return {
    run: <T>(task: () => Promise<T>) => breaker.fire(task) as Promise<T>,
    state,
    retryAfterSeconds,
    shutdown: () => breaker.shutdown(),
  };
}
