import { KitErrors } from '@platform/kit';

/** Where a page ended: lists are sorted newest first by (createdAt, id), and the id breaks ties. */
export interface OrderCursor {
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

export function encodeCursor({ createdAt, id }: OrderCursor): string {
  const bytes = Buffer.alloc(18);
  bytes.writeUIntBE(createdAt.getTime(), 0, 6);
  bytes.write(id, 6, 'hex');
  return bytes.toString('base64url');
}

/** Only reached by callers that skip the route schema; over HTTP the pattern has refused anything else. */
export function decodeCursor(cursor: string): OrderCursor {
  if (!CURSOR.test(cursor)) {
    const errors = [{ in: 'querystring', field: '/cursor', message: 'is not a cursor this list issued' }];
    throw KitErrors.ValidationFailed('querystring/cursor: is not a cursor this list issued', {
      extensions: { errors },
    });
  }
  const bytes = Buffer.from(cursor, 'base64url');
  return { createdAt: new Date(bytes.readUIntBE(0, 6)), id: bytes.subarray(6).toString('hex') };
}
