import { ProductVersionMismatch, ProductWriteConflict } from '../errors';
import type { Product } from './product';

/**
 * The versions a conditional write (`If-Match`) accepts; undefined means "whatever is current", in which case a
 * concurrent write is retried against the new version instead of failing.
 */
export type ExpectedVersions = readonly number[] | undefined;

/** Without If-Match, a write racing others re-reads and re-applies itself this many times before giving up. */
export const maxWriteAttempts = 5;

export function checkExpectedVersion(current: Product, expected: ExpectedVersions): void {
  if (expected && !expected.includes(current.version)) {
    throw ProductVersionMismatch(`product ${current.id} is at another version; fetch it again and retry`);
  }
}

/** A conditional write lost a race: a 412 when the client pinned a version, a retry otherwise (until the budget ends). */
export function onLostRace(id: string, expected: ExpectedVersions, attempt: number): void {
  if (expected) throw ProductVersionMismatch(`product ${id} changed while this request was applied`);
  if (attempt >= maxWriteAttempts) throw ProductWriteConflict(`product ${id} kept changing; retry the request`);
}
