import { KitErrors } from '@platform/kit';

/** Where a page ended: lists are sorted newest first by (createdAt, id), and the id breaks ties. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

const OBJECT_ID = /^[0-9a-f]{24}$/;

/** Opaque to clients: base64url of the last item's sort key and id. */
export function encodeCursor({ createdAt, id }: OrderCursor): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

/** A cursor the client tampered with (or that another list issued) is a 400, never a query with odd values. */
export function decodeCursor(cursor: string): OrderCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2) {
    const [iso, id] = parsed as unknown[];
    const createdAt = typeof iso === 'string' ? new Date(iso) : undefined;
    if (createdAt && !Number.isNaN(createdAt.getTime()) && typeof id === 'string' && OBJECT_ID.test(id)) {
      return { createdAt, id };
    }
  }
  const errors = [{ in: 'querystring', field: '/cursor', message: 'is not a cursor this list issued' }];
  throw KitErrors.ValidationFailed('querystring/cursor: is not a cursor this list issued', { extensions: { errors } });
}
