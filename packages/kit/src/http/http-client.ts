import { Pool } from 'undici';
import {
  readResponse,
  resendOnStaleConnection,
  sendAttempt,
  streamAttempt,
  toDispatchOptions,
  type DispatchOptions,
  type HttpRequest,
  type HttpResponse,
  type RawResponse,
  type StreamedResponse,
} from './attempt';
import { startClientSpan } from '../tracing/client-span';
import { createBreaker } from './breaker';
import { createBulkhead } from './bulkhead';
import { HttpClientErrors, isRetryable, isUnhealthyUpstream, isUpstreamFailure, toAppError } from './errors';
import { resolveOptions, type HttpClientOptions } from './options';
import { withRetry, type RetrySchedule } from './retry';
import { isIdempotent, parseRetryAfter, retryDelay } from './retry-policy';
import { createUpstreamMetrics, type BreakerState } from './upstream-metrics';

export interface HttpClient {
  readonly name: string;
  /**
   * Resolves with any answer the caller can act on: 1xx to 4xx, except 429. The caller decides what a 404 means.
   * Rejects with an AppError: UPSTREAM_UNAVAILABLE (503, with retry-after), UPSTREAM_TIMEOUT (504)
   * or UPSTREAM_BAD_RESPONSE (502).
   */
  request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>;
  /**
   * Like `request`, but resolves as soon as the answer's headers arrive and hands its body over unread, for a
   * proxy to stream on: nothing is buffered or parsed. The bulkhead slot (and its connection) is held until the
   * body ends or is destroyed, so the caller must consume or `destroy()` it. Retries happen only before an answer
   * arrived (idempotent requests, as for `request`); the timeout bounds the wait for the headers and each gap
   * in the body. The attempt metrics time the headers.
   *
   * Unlike `request`, it also resolves with the upstream's own 5xx or 429 once retries are spent, its body read
   * whole into `bytes` (up to 16 KiB), so a proxy passes on the service's problem document (its code, its
   * Retry-After) rather than a generic one. It rejects only when there is no such answer to pass on, with the
   * errors `request` gives: no answer (connection failed, breaker open, bulkhead full: UPSTREAM_UNAVAILABLE; too
   * late: UPSTREAM_TIMEOUT), or an error answer with an empty body or one too large to hold.
   */
  stream(request: HttpRequest): Promise<StreamedResponse>;
  /** GET expecting a 2xx JSON body; any other answer is UPSTREAM_BAD_RESPONSE. Use `request` when a 404 is normal. */
  getJson<T>(path: string, options?: Pick<HttpRequest, 'query' | 'headers'>): Promise<T>;
  breakerState(): BreakerState;
  /** Stops the breaker's timers and closes the connection pool once the calls in flight have finished. */
  close(): Promise<void>;
}

/**
 * A resilient client for one upstream. Its layers, outermost first:
 *  - bulkhead: a call holds one slot across all its attempts, so retries cannot multiply the load on the upstream;
 *  - retry: idempotent requests only, transient failures only, full-jitter backoff or the upstream's Retry-After;
 *  - breaker: counts every attempt (an answer with Retry-After as no failure: see isUnhealthyUpstream); once
 *    open, the next attempt fails fast and the retry loop stops there;
 *  - attempt: one request on a keep-alive connection pool, aborted at `timeoutMs`; an idempotent request whose
 *    kept-alive connection the upstream closed under it is sent once more at once (`resendOnStaleConnection`).
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const config = resolveOptions(options);
  const { name, timeoutMs } = config;
  const baseUrl = new URL(config.baseUrl);
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  // One connection per bulkhead slot: an admitted call never waits for a socket.
  const pool = new Pool(baseUrl.origin, { connections: config.bulkhead.maxConcurrent });
  const metrics = createUpstreamMetrics(config.registry, name);
  const breaker = createBreaker({
    name,
    options: config.breaker,
    isFailure: isUnhealthyUpstream,
    metrics,
    logger: config.logger,
  });
  const bulkhead = createBulkhead(config.bulkhead, {
    rejected: metrics.bulkheadRejected,
    queued: metrics.bulkheadQueued,
  });

  /** Starts the attempt's metrics and its client span, which writes the trace context into the headers. */
  function startAttempt(dispatchOptions: DispatchOptions) {
    const { method, path, headers } = dispatchOptions;
    const recordMetrics = metrics.startAttempt(method);
    const endSpan = startClientSpan(method, baseUrl, path, headers);
    /** The answer's status, or the kind of failure when no answer came. */
    return function recordAttempt(outcome: number | string): void {
      recordMetrics(String(outcome));
      endSpan(typeof outcome === 'number' ? { status: outcome } : { error: outcome });
    };
  }

  /** What an attempt that threw is recorded as: the answer's status when one came, else the kind of failure. */
  function failedAttempt(err: unknown): number | string {
    if (!isUpstreamFailure(err)) return 'error';
    return err.response ? err.response.status : err.kind;
  }

  async function attemptOnce(dispatchOptions: DispatchOptions): Promise<HttpResponse> {
    const recordAttempt = startAttempt(dispatchOptions);
    let raw: RawResponse;
    try {
      raw = await sendAttempt(pool, dispatchOptions, timeoutMs);
    } catch (err) {
      recordAttempt(failedAttempt(err));
      throw err;
    }
    recordAttempt(raw.status);
    return readResponse(raw, `${dispatchOptions.method} ${dispatchOptions.path}`, name);
  }

  function retryScheduleFor(request: HttpRequest): RetrySchedule {
    const idempotent = isIdempotent(request.method, request.headers, request.idempotent);
    return {
      attempts: config.retry.attempts,
      delayAfter: function delayBeforeRetry(err, retry) {
        if (!idempotent || !isUpstreamFailure(err) || !isRetryable(err)) return undefined;
        const retryAfterMs = parseRetryAfter(err.response?.headers['retry-after']);
        return retryDelay(retry, retryAfterMs, config.retry, config.random);
      },
      sleep: config.sleep,
      onRetry: metrics.retried,
    };
  }

  async function request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const dispatchOptions = toDispatchOptions(request, basePath);
    const schedule = retryScheduleFor(request);
    const idempotent = isIdempotent(request.method, request.headers, request.idempotent);
    const attempt = () => resendOnStaleConnection(() => attemptOnce(dispatchOptions), idempotent, metrics.retried);
    try {
      const response = await bulkhead.run(() => withRetry(() => breaker.run(attempt), schedule));
      // The body's shape is the upstream's contract; validating it is the caller's business.
      return response as HttpResponse<T>;
    } catch (err) {
      throw toAppError(err, { upstream: name, timeoutMs, breakerRetryAfterSeconds: breaker.retryAfterSeconds });
    }
  }

  async function streamAttemptOnce(dispatchOptions: DispatchOptions): Promise<StreamedResponse> {
    const recordAttempt = startAttempt(dispatchOptions);
    try {
      const response = await streamAttempt(
        pool,
        dispatchOptions,
        timeoutMs,
        `${dispatchOptions.method} ${dispatchOptions.path}`,
      );
      recordAttempt(response.status);
      return response;
    } catch (err) {
      recordAttempt(failedAttempt(err));
      throw err;
    }
  }

  async function stream(request: HttpRequest): Promise<StreamedResponse> {
    const dispatchOptions = toDispatchOptions(request, basePath);
    let release: (() => void) | undefined;
    try {
      release = await bulkhead.acquire();
      const idempotent = isIdempotent(request.method, request.headers, request.idempotent);
      const attempt = () =>
        resendOnStaleConnection(() => streamAttemptOnce(dispatchOptions), idempotent, metrics.retried);
      const response = await withRetry(() => breaker.run(attempt), retryScheduleFor(request));
      if (response.body) response.body.once('close', release);
      else release();
      return response;
    } catch (err) {
      release?.();
      const answer = isUpstreamFailure(err) && err.kind === 'status' ? err.response : undefined;
      if (answer?.body?.length) {
        return { status: answer.status, headers: answer.headers, body: undefined, bytes: answer.body };
      }
      throw toAppError(err, { upstream: name, timeoutMs, breakerRetryAfterSeconds: breaker.retryAfterSeconds });
    }
  }

  async function getJson<T>(path: string, options: Pick<HttpRequest, 'query' | 'headers'> = {}): Promise<T> {
    const response = await request<T>({ method: 'GET', path, ...options });
    if (response.status < 200 || response.status >= 300) {
      throw HttpClientErrors.UpstreamBadResponse(`${name}: answered ${response.status} to GET ${path}`);
    }
    return response.body;
  }

  async function close(): Promise<void> {
    breaker.shutdown();
    await pool.close();
  }

  return { name, request, stream, getJson, breakerState: breaker.state, close };
}
