/** A catalogue entry. Money is an integer amount of minor units plus an ISO 4217 currency code. */
export interface Product {
  id: string;
  /** Business identifier, upper-case; immutable and never reused (inventory and order history key by it). */
  sku: string;
  name: string;
  description: string;
  category: string;
  priceMinor: number;
  currency: string;
  /** Incremented by every write: the ETag and the optimistic-concurrency token. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewProduct = Pick<Product, 'sku' | 'name' | 'description' | 'category' | 'priceMinor' | 'currency'>;

/** What PATCH may change; the sku is not among it. */
export type ProductChanges = Partial<Omit<NewProduct, 'sku'>>;

export const productSorts = ['createdAt', '-createdAt', 'price', '-price', 'name', '-name'] as const;
export type ProductSort = (typeof productSorts)[number];

export interface ProductFilter {
  category?: string;
  /** Inclusive bounds, in minor units. */
  minPrice?: number;
  maxPrice?: number;
  /** Case-insensitive substring of the name, matched literally. */
  q?: string;
}

export interface ProductListQuery extends ProductFilter {
  sort: ProductSort;
  limit: number;
  cursor?: string;
}

export interface ProductPage {
  items: Product[];
  nextCursor: string | null;
}

/** Names sort case-insensitively ("apple" before "Banana"); the store keeps this key next to the name. */
export function nameSortKey(name: string): string {
  return name.toLowerCase();
}

/** The changes that would actually alter the product; empty when PATCH repeats current values. */
export function effectiveChanges(current: Product, changes: ProductChanges): ProductChanges {
  const entries = Object.entries(changes).filter(
    ([field, value]) => value !== undefined && current[field as keyof ProductChanges] !== value,
  );
  return Object.fromEntries(entries) as ProductChanges;
}
