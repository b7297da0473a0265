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
  NotFound: createError('NOT_FOUND', 'Resource not found', 404),
  RouteNotFound: createError('ROUTE_NOT_FOUND', 'Route not found', 404),
  PayloadTooLarge: createError('PAYLOAD_TOO_LARGE', 'Request body too large', 413),
  UnsupportedMediaType: createError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 415),
  TooManyRequests: createError('TOO_MANY_REQUESTS', 'Too many requests', 429),
  Internal: createError('INTERNAL_ERROR', 'Internal server error', 500),
  UpstreamUnavailable: createError('UPSTREAM_UNAVAILABLE', 'Upstream service unavailable', 503),
  UpstreamTimeout: createError('UPSTREAM_TIMEOUT', 'Upstream service timed out', 504),
  ServiceUnavailable: createError('SERVICE_UNAVAILABLE', 'Service unavailable', 503),
} as const;
