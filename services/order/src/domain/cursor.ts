import { createTimeIdCursorCodec, KitErrors, type TimeIdCursor } from '@platform/kit/core';

/** Where a page ended: orders are listed newest first by (createdAt, id), and the id breaks ties. */
export type OrderCursor = TimeIdCursor;

/**
 * The kit's codec; a cursor outside the pattern answers 400 VALIDATION_FAILED naming the field (only reached by
 * callers that skip the route schema, which has refused it already over HTTP).
 */
const codec = createTimeIdCursorCodec(function invalidCursor() {
  const errors = [{ in: 'querystring', field: '/cursor', message: 'is not a cursor this list issued' }];
  return KitErrors.ValidationFailed('querystring/cursor: is not a cursor this list issued', { extensions: { errors } });
});

export const cursorPattern = codec.pattern;
export const encodeCursor = codec.encode;
export const decodeCursor = codec.decode;
