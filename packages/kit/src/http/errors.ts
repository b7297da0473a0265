import { AppError, KitErrors, createError } from '../errors/app-error';
import { BulkheadFullError } from './bulkhead';
import { isBreakerOpenError } from './breaker';
import { RETRYABLE_STATUSES, parseRetryAfter } from './retry-policy';

export type HttpResponseHeaders = Record<string, string | string[] | undefined>;

/** Errors the HTTP client raises besides the kit's UPSTREAM_UNAVAILABLE and UPSTREAM_TIMEOUT. */
export const HttpClientErrors = {
  /** The upstream answered, but not as its contract says: a lasting 5xx, malformed JSON, an unexpected status. */
  UpstreamBadResponse: createError('UPSTREAM_BAD_RESPONSE', 'Upstream returned an unexpected response', 502),
} as const;

export type AttemptFailureKind = 'timeout' | 'network' | 'status';

/**
 * One attempt that failed because of the upstream: it did not answer in time, the connection failed, or it answered
 * with a 5xx or 429. These, and only these, count against the breaker and may be retried.
 * Internal: the client turns it into an AppError before it reaches the caller.
 */
export class UpstreamAttemptError extends Error {
  override name = 'UpstreamAttemptError';

  constructor(
    readonly kind: AttemptFailureKind,
    message: string,
    /** The answer, for kind 'status'; `body` holds its bytes when a streaming call read them (small ones only). */
    readonly response?: { status: number; headers: HttpResponseHeaders; body?: Buffer },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isUpstreamFailure(err: unknown): err is UpstreamAttemptError {
  return err instanceof UpstreamAttemptError;
}

/**
 * Whether a failed attempt says the upstream is unhealthy: what the breaker counts. An answer carrying Retry-After
 * (a 429 or 503 shedding load on purpose, or passing on its own upstream's outage) does not: the upstream answered
 * at once and said when to come back. Opening the breaker on it would refuse the upstream's other routes too, which
 * still serve (the order service shedding new orders still answers reads).
 */
export function isUnhealthyUpstream(err: unknown): boolean {
  return isUpstreamFailure(err) && !(err.kind === 'status' && err.response?.headers['retry-after'] !== undefined);
}

/** Timeouts and broken connections are transient; of the answers, only those in RETRYABLE_STATUSES. */
export function isRetryable(err: UpstreamAttemptError): boolean {
  return err.kind !== 'status' || RETRYABLE_STATUSES.has(err.response?.status ?? 0);
}

/** Seconds to hand on in our own retry-after: the upstream's, when it gave one, else a short pause. */
function retryAfterFrom(headers: HttpResponseHeaders | undefined): string {
  const ms = parseRetryAfter(headers?.['retry-after']);
  return String(Math.max(1, Math.ceil((ms ?? 0) / 1000)));
}

export interface ErrorContext {
  upstream: string;
  timeoutMs: number;
  breakerRetryAfterSeconds(): number;
}

/**
 * Maps the last failure of a call to what our own caller should see. Anything not recognised (a programmer error)
 * is returned unchanged, so the central handler logs it with its stack.
 */
export function toAppError(err: unknown, { upstream, timeoutMs, breakerRetryAfterSeconds }: ErrorContext): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof BulkheadFullError) {
    return KitErrors.UpstreamUnavailable(`${upstream}: too many calls in flight`, {
      headers: { 'retry-after': '1' },
      cause: err,
    });
  }
  if (isBreakerOpenError(err)) {
    const seconds = String(breakerRetryAfterSeconds());
    return KitErrors.UpstreamUnavailable(`${upstream}: circuit open`, {
      headers: { 'retry-after': seconds },
      cause: err,
    });
  }
  if (!isUpstreamFailure(err)) return err;
  if (err.kind === 'timeout') {
    return KitErrors.UpstreamTimeout(`${upstream}: no answer within ${timeoutMs} ms`, { cause: err });
  }
  if (isRetryable(err)) {
    const headers = { 'retry-after': retryAfterFrom(err.response?.headers) };
    return KitErrors.UpstreamUnavailable(`${upstream}: ${err.message}`, { headers, cause: err });
  }
  return HttpClientErrors.UpstreamBadResponse(`${upstream}: ${err.message}`, { cause: err });
}
