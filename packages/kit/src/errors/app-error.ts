/**
 * An expected, classified failure: it carries the HTTP status and the stable `code` the client sees
 * in the problem+json answer. Anything thrown that is not an AppError (or a Fastify validation error)
 * is a programmer error: logged with its stack, answered as an opaque 500.
 */
export interface AppErrorOptions {
  code: string;
  status: number;
  title: string;
  detail?: string;
  /** Extra response headers, e.g. `retry-after` on a 503 or 429. */
  headers?: Record<string, string>;
  /** Extra problem members, e.g. the list of invalid fields. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(options: AppErrorOptions) {
    super(options.detail ?? options.title, { cause: options.cause });
    this.code = options.code;
    this.status = options.status;
    this.title = options.title;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

export interface ErrorDefinition {
  code: string;
  status: number;
  title: string;
}

export type ErrorFactory = ((
  detail?: string,
  extra?: Omit<AppErrorOptions, 'code' | 'status' | 'title' | 'detail'>,
) => AppError) &
  ErrorDefinition;

/**
 * Declares one entry of a service's error registry:
 * `export const OrderNotFound = createError('ORDER_NOT_FOUND', 'Order not found', 404)`
 * then `throw OrderNotFound(\`no order ${id}\`)`.
 */
export function createError(code: string, title: string, status: number): ErrorFactory {
  const factory = (detail?: string, extra: Omit<AppErrorOptions, 'code' | 'status' | 'title' | 'detail'> = {}) =>
    new AppError({ code, status, title, detail, ...extra });
  return Object.assign(factory, { code, title, status });
}

/** Errors the kit itself raises; services add their own registries next to these. */
export const KitErrors = {
  ValidationFailed: createError('VALIDATION_FAILED', 'Request validation failed', 400),
  /** The request line or the framing is not valid HTTP (or the URL not a valid path). */
  BadRequest: createError('BAD_REQUEST', 'Malformed request', 400),
  InvalidUrl: createError('INVALID_URL', 'Invalid request URL', 400),
  NotFound: createError('NOT_FOUND', 'Resource not found', 404),
  RouteNotFound: createError('ROUTE_NOT_FOUND', 'Route not found', 404),
  MethodNotAllowed: createError('METHOD_NOT_ALLOWED', 'Method not allowed on this route', 405),
  RequestTimeout: createError('REQUEST_TIMEOUT', 'Request not received in time', 408),
  PayloadTooLarge: createError('PAYLOAD_TOO_LARGE', 'Request body too large', 413),
  UriTooLong: createError('URI_TOO_LONG', 'Request URL or one of its segments too long', 414),
  UnsupportedMediaType: createError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 415),
  TooManyRequests: createError('TOO_MANY_REQUESTS', 'Too many requests', 429),
  HeadersTooLarge: createError('HEADERS_TOO_LARGE', 'Request header fields too large', 431),
  Internal: createError('INTERNAL_ERROR', 'Internal server error', 500),
  MethodNotImplemented: createError('METHOD_NOT_IMPLEMENTED', 'Request method not implemented', 501),
  UpstreamUnavailable: createError('UPSTREAM_UNAVAILABLE', 'Upstream service unavailable', 503),
  UpstreamTimeout: createError('UPSTREAM_TIMEOUT', 'Upstream service timed out', 504),
  ServiceUnavailable: createError('SERVICE_UNAVAILABLE', 'Service unavailable', 503),
} as const;
