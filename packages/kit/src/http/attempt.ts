import type { Dispatcher } from 'undici';
import { HttpClientErrors, UpstreamAttemptError, type HttpResponseHeaders } from './errors';

export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Relative to the client's base URL, e.g. `/products/42`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /**
   * Sent as given: pass `x-request-id` here to correlate logs. `traceparent` and `tracestate` are set by the
   * client's span (tracing/client-span.ts), replacing any given here, whenever tracing is on.
   */
  headers?: Record<string, string>;
  /** Strings and bytes are sent as they are; anything else as JSON. */
  body?: unknown;
  /**
   * Allows retrying a non-idempotent method, e.g. a POST the upstream deduplicates.
   * Defaults to true for idempotent methods and for requests that carry an Idempotency-Key.
   */
  idempotent?: boolean;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: HttpResponseHeaders;
  /** Parsed when the content type is JSON, a string otherwise, undefined when empty. */
  body: T;
}

/** Codes of a connection that failed or broke: the upstream, or the way to it, is at fault, not the request. */
const TIMEOUT_ERROR_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function networkErrorCode(err: unknown): string | undefined {
  // Not `instanceof Error`: Node's own errors (ECONNREFUSED) come from another realm under vm-based runners (jest).
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code) ? code : undefined;
}

/**
 * Whether the request was lost to a kept-alive connection that the upstream closed as the request went out on it:
 * the server may close an idle connection at any moment (its keep-alive timeout, or a graceful shutdown), and a
 * client that wrote onto it just then gets "other side closed" (undici's SocketError, after a FIN) or ECONNRESET
 * (the server's kernel answering the request with a reset). undici's SocketError says what the socket had read: more
 * than nothing means it had carried an earlier answer, so it was reused. Node's ECONNRESET and EPIPE carry no
 * socket; a reset before the answer is taken for the same case. Only idempotent requests are ever sent again.
 */
export function isStaleConnection(err: unknown): boolean {
  const cause = err instanceof UpstreamAttemptError && err.kind === 'network' ? err.cause : err;
  if (typeof cause !== 'object' || cause === null) return false;
  const { code, socket } = cause as { code?: unknown; socket?: { bytesRead?: unknown } };
  if (code === 'UND_ERR_SOCKET') return typeof socket?.bytesRead === 'number' && socket.bytesRead > 0;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/**
 * Sends an idempotent request once more, at once, when its kept-alive connection was closed under it
 * (`isStaleConnection`): the pool then opens a new connection, to the same upstream or (behind a Service) to
 * another replica. That is no failure of the upstream, so it happens below the retry policy and the breaker,
 * without backoff and without spending a retry: HTTP clients do the same (RFC 9112, 9.3.1).
 */
export async function resendOnStaleConnection<T>(
  send: () => Promise<T>,
  idempotent: boolean,
  onResend?: () => void,
): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (!idempotent || !isStaleConnection(err)) throw err;
    onResend?.();
    return send();
  }
}

/** undici's request options, with the headers as the one object every attempt writes its trace context into. */
export type DispatchOptions = Dispatcher.RequestOptions & { headers: Record<string, string> };

export function toDispatchOptions(request: HttpRequest, basePath: string): DispatchOptions {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | Uint8Array | undefined;
  if (typeof request.body === 'string' || request.body instanceof Uint8Array) {
    body = request.body;
  } else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
    if (!hasContentType) headers['content-type'] = 'application/json';
  }
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) query.append(key, String(value));
  }
  const search = query.toString();
  return { method: request.method, path: `${basePath}${request.path}${search ? `?${search}` : ''}`, headers, body };
}

function parseBody(text: string, headers: HttpResponseHeaders, upstream: string): unknown {
  if (text === '') return undefined;
  const contentType = String(headers['content-type'] ?? '');
  if (!/[/+]json\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw HttpClientErrors.UpstreamBadResponse(`${upstream}: invalid JSON in response body`, { cause: err });
  }
}

/** What came back, before we judge it. */
export interface RawResponse {
  status: number;
  headers: HttpResponseHeaders;
  text: string;
}

/**
 * One HTTP exchange under a single deadline, body included, so a slow trickle of bytes cannot outlive the timeout.
 * Rejects with UpstreamAttemptError when no answer came back in time or the connection failed.
 */
export async function sendAttempt(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
  timeoutMs: number,
): Promise<RawResponse> {
  // Aborting, not just giving up waiting, frees the socket for the next call.
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await dispatcher.request({ ...options, signal });
    // Always read the body to the end: an unread body keeps its connection out of the pool.
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  } catch (err) {
    if (signal.aborted) {
      throw new UpstreamAttemptError('timeout', `no answer within ${timeoutMs} ms`, undefined, { cause: err });
    }
    const code = networkErrorCode(err);
    if (code) throw new UpstreamAttemptError('network', `connection failed (${code})`, undefined, { cause: err });
    throw err;
  }
}

/** Returns any answer the caller can act on; throws UpstreamAttemptError for answers the upstream is to blame for. */
export function readResponse(raw: RawResponse, request: string, upstream: string): HttpResponse {
  const { status, headers } = raw;
  // 429 counts too: the upstream is shedding load (a breaker backs off from it unless it said when to come back).
  if (status >= 500 || status === 429) {
    throw new UpstreamAttemptError('status', `answered ${status} to ${request}`, { status, headers });
  }
  return { status, headers, body: parseBody(raw.text, headers, upstream) };
}

/** An answer whose body has not been read: the caller streams it on, or must `destroy()` it. */
export interface StreamedResponse {
  status: number;
  headers: HttpResponseHeaders;
  /**
   * A Readable with fetch's body methods (`arrayBuffer()`, `text()`); undefined for HEAD, 1xx, 204, 304, and for an
   * answer read whole (`bytes`).
   */
  body: Dispatcher.ResponseData['body'] | undefined;
  /** The whole body of an error answer (5xx, 429) handed over once retries were spent: it was read to judge it. */
  bytes?: Buffer;
}

/** An error answer's body is kept for a proxy to pass on up to this size (a problem document); larger, dropped. */
const ERROR_BODY_LIMIT = 16 * 1024;

/** The body of an error answer, read whole if it is small; undefined when it is larger or breaks off. */
async function readErrorBody(
  body: Dispatcher.ResponseData['body'],
  headers: HttpResponseHeaders,
): Promise<Buffer | undefined> {
  if (Number(headers['content-length']) > ERROR_BODY_LIMIT) {
    body.dump().catch(() => undefined);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > ERROR_BODY_LIMIT) {
        body.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks);
}

function hasNoBody(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || status < 200;
}

/**
 * One exchange whose answer is handed over as soon as its headers arrive, the body left to stream. undici's own
 * timers bound it: `headersTimeout` until the answer starts, `bodyTimeout` between two chunks of the body (a
 * stalled upstream), so a long body that keeps flowing is never cut. Answers the upstream is to blame for (5xx,
 * 429) are judged like `readResponse` does, their body read (kept when small, see `UpstreamAttemptError.response`)
 * so the connection returns to the pool.
 */
export async function streamAttempt(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
  timeoutMs: number,
  request: string,
): Promise<StreamedResponse> {
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({ ...options, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  } catch (err) {
    const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
    if (typeof code === 'string' && TIMEOUT_ERROR_CODES.has(code)) {
      throw new UpstreamAttemptError('timeout', `no answer within ${timeoutMs} ms`, undefined, { cause: err });
    }
    const network = networkErrorCode(err);
    if (network) throw new UpstreamAttemptError('network', `connection failed (${network})`, undefined, { cause: err });
    throw err;
  }
  const { statusCode: status, headers, body } = response;
  if (status >= 500 || status === 429) {
    const bytes = await readErrorBody(body, headers);
    throw new UpstreamAttemptError('status', `answered ${status} to ${request}`, { status, headers, body: bytes });
  }
  if (hasNoBody(String(options.method), status)) {
    body.dump().catch(() => undefined);
    return { status, headers, body: undefined };
  }
  return { status, headers, body };
}
