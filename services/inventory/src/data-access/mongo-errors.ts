const DUPLICATE_KEY = 11000;

/** Two upserts raced on a unique index: the other one inserted the document, which is what both wanted. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === DUPLICATE_KEY;
}
