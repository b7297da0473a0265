import { InvalidCursor } from '../errors';

/** Position after the last item of a page, in the list's sort order (newest first, ties broken by id). */
export interface UserCursor {
  createdAt: Date;
  id: string;
}

/** Opaque to clients: base64url of the sort key and id, so the format can change without an API change. */
export function encodeCursor({ createdAt, id }: UserCursor): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): UserCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw InvalidCursor('cursor is not one this API returned');
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    typeof decoded[0] !== 'string' ||
    typeof decoded[1] !== 'string' ||
    !/^[0-9a-f]{24}$/.test(decoded[1]) ||
    Number.isNaN(Date.parse(decoded[0]))
  ) {
    throw InvalidCursor('cursor is not one this API returned');
  }
  return { createdAt: new Date(decoded[0]), id: decoded[1] };
}
