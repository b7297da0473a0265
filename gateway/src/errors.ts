import { createError } from '@platform/kit/core';

/** The gateway's own error codes; everything else a client sees comes from the services or the kit. */
export const OrderNotFound = createError('ORDER_NOT_FOUND', 'Order not found', 404);
export const CorsOriginNotAllowed = createError('CORS_ORIGIN_NOT_ALLOWED', 'Origin not allowed', 403);
/** A request target with more than one spelling (needless escapes, encoded slashes, dot segments, a fragment). */
export const InvalidPath = createError('INVALID_PATH', 'Ambiguous request path', 400);
export const TooManyStreams = createError('TOO_MANY_STREAMS', 'Too many open status streams', 429);
