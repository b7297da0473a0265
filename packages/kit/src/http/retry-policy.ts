import type { HttpRetryOptions } from './options';

/** Methods whose repetition has the effect of one call (RFC 9110, 9.2.2): a retry cannot apply a change twice. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Answers that mean "not now" rather than "not this request". A 500 is left out: it is usually a bug that a retry
 * only repeats, at the cost of more load on an upstream that is already failing.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * An explicit flag wins; otherwise the method decides, and an Idempotency-Key makes any method safe to repeat
 * because the upstream deduplicates on it.
 */
export function isIdempotent(method: string, headers: Record<string, string> = {}, explicit?: boolean): boolean {
  if (explicit !== undefined) return explicit;
  if (IDEMPOTENT_METHODS.has(method.toUpperCase())) return true;
  return Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key');
}

/**
 * Full jitter: random(0, min(cap, base * 2^retry)). Spreading retries over the whole window keeps many clients
 * from hitting a recovering upstream in lockstep ("Exponential Backoff and Jitter", AWS Architecture Blog).
 * @param retry 0 for the first retry
 * @param random a number in [0, 1)
 */
export function backoffDelay(
  retry: number,
  options: Pick<HttpRetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Retry-After as milliseconds to wait: delay-seconds or an HTTP-date (RFC 9110, 10.2.3).
 * Undefined when absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with the day name; this also keeps Date.parse from reading "-5" as a year.
  if (!/^[a-z]{3}/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The upstream's own Retry-After wins over our backoff: it knows when it will be ready. A Retry-After beyond
 * `maxRetryAfterMs` means no retry (undefined): retrying sooner than the upstream asked only meets the same
 * refusal (a breaker still open), and waiting for it would hold our own caller that long. The 503 and its
 * Retry-After go to our caller at once instead: failing fast is what the upstream's answer is for.
 */
export function retryDelay(
  retry: number,
  retryAfterMs: number | undefined,
  options: HttpRetryOptions,
  random: () => number,
): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs <= options.maxRetryAfterMs ? retryAfterMs : undefined;
  return backoffDelay(retry, options, random);
}
