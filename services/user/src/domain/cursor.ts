import { InvalidCursor } from '../errors';

/** Position after the last item of a page, in the list's sort order (newest first, ties broken by id). */
export interface UserCursor {
  createdAt: Date;
  id: string;
}

/**
 * 24 base64url characters: 18 bytes, the creation time in ms (6 bytes) and the id (12). Every string the pattern
 * allows decodes to a valid position, so the schema (which documents the pattern) and the handler agree on what
 * a cursor is; opaque to clients all the same.
 */
export const cursorPattern = '^[A-Za-z0-9_-]{24}$';
const CURSOR = new RegExp(cursorPattern);

export function encodeCursor({ createdAt, id }: UserCursor): string {
  const bytes = Buffer.alloc(18);
  bytes.writeUIntBE(createdAt.getTime(), 0, 6);
  bytes.write(id, 6, 'hex');
  return bytes.toString('base64url');
}

export function decodeCursor(cursor: string): UserCursor {
  if (!CURSOR.test(cursor)) throw InvalidCursor('cursor is not one this API returned');
  const bytes = Buffer.from(cursor, 'base64url');
  return { createdAt: new Date(bytes.readUIntBE(0, 6)), id: bytes.subarray(6).toString('hex') };
}
