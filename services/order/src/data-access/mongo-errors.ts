const DUPLICATE_KEY = 11000;

/** The unique index refused the write: how this service learns that someone else got there first. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === DUPLICATE_KEY;
}
