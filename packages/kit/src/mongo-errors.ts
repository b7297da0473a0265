/** MongoDB's code for a write refused by a unique index (E11000). */
const DUPLICATE_KEY = 11000;

/**
 * A unique index refused the write: someone else inserted that key first. What that means is the caller's to say
 * (a redelivery already marked, an upsert that lost a race, an email already registered).
 */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === DUPLICATE_KEY;
}
