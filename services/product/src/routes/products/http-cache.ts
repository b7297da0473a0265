import { createHash } from 'node:crypto';
import type { Product } from '../../domain/product';

/** Strong ETag of a product: its id and stored version, which every write increments. */
export function productETag(product: Product): string {
  return `"${product.id}-${product.version}"`;
}

/** Lists have no version of their own: their ETag is a hash of the exact representation. */
export function representationETag(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 32)}"`;
}

/**
 * Cache-Control of a public catalogue answer (and of its 304, RFC 9110 15.4.5): shared caches may serve it for
 * `sharedMaxAgeSeconds` (a write through the same gateway replica empties its cache at once; others lag by at most
 * that); private caches revalidate every time.
 */
export function catalogueCacheControl(sharedMaxAgeSeconds: number): string {
  return sharedMaxAgeSeconds > 0 ? `public, max-age=0, s-maxage=${sharedMaxAgeSeconds}` : 'no-cache';
}

function entityTags(header: string): string[] {
  return header.split(',').map((tag) => tag.trim());
}

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): a `W/` prefix does not prevent a match. */
export function isNotModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return entityTags(ifNoneMatch).some((tag) => tag.replace(/^W\//, '') === etag);
}

/**
 * The versions of this product an If-Match header accepts (strong comparison, RFC 9110 13.1.1); undefined when the
 * header is absent or `*`, i.e. any current version. Tags of other products or weak tags never match, so they
 * yield an empty list and the write answers 412.
 */
export function expectedVersions(ifMatch: string | undefined, productId: string): number[] | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  return entityTags(ifMatch).flatMap((tag) => {
    const match = /^"([0-9a-f]{24})-(\d{1,15})"$/.exec(tag);
    return match && match[1] === productId ? [Number(match[2])] : [];
  });
}
