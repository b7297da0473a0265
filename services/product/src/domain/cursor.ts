import { InvalidCursor } from '../errors';
import { nameSortKey, type Product, type ProductSort } from './product';

/**
 * Where a page ended: the sort key of its last item plus its id as the tie-breaker, so the next page starts
 * strictly after it however many products share the key. `key` is the ISO date (createdAt), the price in minor
 * units (price) or the lower-cased name (name).
 */
export interface CursorPosition {
  sort: ProductSort;
  key: string | number;
  id: string;
}

type SortField = 'createdAt' | 'price' | 'name';

export function sortField(sort: ProductSort): SortField {
  return sort.replace(/^-/, '') as SortField;
}

export function isDescending(sort: ProductSort): boolean {
  return sort.startsWith('-');
}

export function positionAfter(product: Product, sort: ProductSort): CursorPosition {
  const field = sortField(sort);
  const key =
    field === 'createdAt'
      ? product.createdAt.toISOString()
      : field === 'price'
        ? product.priceMinor
        : nameSortKey(product.name);
  return { sort, key, id: product.id };
}

/** Opaque to clients: base64url of the position. The sort is inside, so a cursor cannot be replayed under another. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, position.key, position.id])).toString('base64url');
}

/** Decodes and checks a client-supplied cursor; anything malformed, forged or from another sort is a 400. */
export function decodeCursor(cursor: string, sort: ProductSort): CursorPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw InvalidCursor('the cursor is not one this API returned');
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) throw InvalidCursor('the cursor is not one this API returned');
  const [cursorSort, key, id] = decoded as unknown[];
  if (cursorSort !== sort) throw InvalidCursor(`the cursor was issued for sort=${String(cursorSort)}, not ${sort}`);
  if (typeof id !== 'string' || !/^[0-9a-f]{24}$/.test(id) || !isValidKey(sortField(sort), key)) {
    throw InvalidCursor('the cursor is not one this API returned');
  }
  return { sort, key, id };
}

function isValidKey(field: SortField, key: unknown): key is string | number {
  if (field === 'price') return Number.isSafeInteger(key) && (key as number) >= 0;
  if (field === 'name') return typeof key === 'string' && key.length <= 200;
  return typeof key === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(key) && !isNaN(Date.parse(key));
}
