import type { QueryFilter } from 'mongoose';
import { isDescending, sortField, type CursorPosition } from '../domain/cursor';
import type { ProductFilter, ProductSort } from '../domain/product';
import type { ProductDocument } from './product-model';

type Filter = QueryFilter<ProductDocument>;

const storedField = { createdAt: 'createdAt', price: 'priceMinor', name: 'nameKey' } as const;

/** Soft-deleted products never match a read. */
export const live = { deletedAt: null } as const;

/** Regex metacharacters in user text match themselves: `q=a.b` finds "a.b", not "axb". */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Built only from typed, validated values: no client-supplied object ever becomes part of a query.
 * The name search is an escaped, case-insensitive regex (FerretDB has no text index).
 */
export function listFilter(filter: ProductFilter, sort: ProductSort, after: CursorPosition | undefined): Filter {
  const query: Filter = { ...live };
  if (filter.category !== undefined) query.category = filter.category;
  if (filter.minPrice !== undefined || filter.maxPrice !== undefined) {
    query.priceMinor = {
      ...(filter.minPrice !== undefined && { $gte: filter.minPrice }),
      ...(filter.maxPrice !== undefined && { $lte: filter.maxPrice }),
    };
  }
  if (filter.q !== undefined) query.name = { $regex: escapeRegex(filter.q), $options: 'i' };
  if (after) query.$or = afterPosition(sort, after);
  return query;
}

/** Keyset pagination: strictly after the last item in (key, _id) order, so pages neither overlap nor skip. */
function afterPosition(sort: ProductSort, after: CursorPosition): Filter[] {
  const field = storedField[sortField(sort)];
  const key = field === 'createdAt' ? new Date(after.key) : after.key;
  const beyond = isDescending(sort) ? '$lt' : '$gt';
  return [{ [field]: { [beyond]: key } }, { [field]: key, _id: { [beyond]: after.id } }];
}

export function listSort(sort: ProductSort): Record<string, 1 | -1> {
  const direction = isDescending(sort) ? -1 : 1;
  return { [storedField[sortField(sort)]]: direction, _id: direction };
}
