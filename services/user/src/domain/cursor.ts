import { createTimeIdCursorCodec, type TimeIdCursor } from '@platform/kit/core';
import { InvalidCursor } from '../errors';

/** Position after the last item of a page, in the list's sort order (newest first, ties broken by id). */
export type UserCursor = TimeIdCursor;

/** The kit's codec; a cursor outside the pattern answers 400 INVALID_CURSOR. */
const codec = createTimeIdCursorCodec(() => InvalidCursor('cursor is not one this API returned'));

export const cursorPattern = codec.pattern;
export const encodeCursor = codec.encode;
export const decodeCursor = codec.decode;
