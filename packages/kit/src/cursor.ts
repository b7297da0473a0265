/** A list position: lists sorted newest first by (createdAt, id), the id breaking ties. */
export interface TimeIdCursor {
  createdAt: Date;
  id: string;
}

export interface TimeIdCursorCodec {
  /** The pattern the route schema documents; every string it allows decodes to a valid position. */
  readonly pattern: string;
  encode(position: TimeIdCursor): string;
  /** Throws the service's own error for a string outside the pattern (over HTTP the schema refuses it first). */
  decode(cursor: string): TimeIdCursor;
}

/**
 * 24 base64url characters: 18 bytes, the creation time in ms (6 bytes) and the ObjectId (12). Every string the
 * pattern allows decodes to a valid position, so the schema (which documents the pattern) and the handler agree on
 * what a cursor is; opaque to clients all the same. `invalid` builds the error a service answers for a bad cursor,
 * so each keeps its documented code.
 */
export function createTimeIdCursorCodec(invalid: () => Error): TimeIdCursorCodec {
  const pattern = '^[A-Za-z0-9_-]{24}$';
  const cursorRegExp = new RegExp(pattern);
  return {
    pattern,
    encode({ createdAt, id }) {
      const bytes = Buffer.alloc(18);
      bytes.writeUIntBE(createdAt.getTime(), 0, 6);
      bytes.write(id, 6, 'hex');
      return bytes.toString('base64url');
    },
    decode(cursor) {
      if (!cursorRegExp.test(cursor)) throw invalid();
      const bytes = Buffer.from(cursor, 'base64url');
      return { createdAt: new Date(bytes.readUIntBE(0, 6)), id: bytes.subarray(6).toString('hex') };
    },
  };
}
