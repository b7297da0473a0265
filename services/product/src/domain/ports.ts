import type { OutboxEntry } from '@platform/kit/core';
import type { CursorPosition } from './cursor';
import type {
  NewProduct,
  Product,
  ProductChanges,
  ProductFilter,
  ProductListQuery,
  ProductPage,
  ProductSort,
} from './product';

/** The products collection. Every write stores its outbox entries in the same single-document update. */
export interface ProductRepository {
  /** A fresh 24-hex id, so the created event can name the product before it is stored. */
  nextId(): string;
  /** Live products only: soft-deleted ones are not found. */
  findById(id: string): Promise<Product | undefined>;
  findBySku(sku: string): Promise<Product | undefined>;
  /** Throws SkuTaken when the sku belongs to another product, live or deleted. */
  insert(id: string, product: NewProduct, outbox: OutboxEntry[]): Promise<Product>;
  /** Applies the changes only if the product is still at `current.version`; undefined when it is not (or is gone). */
  update(current: Product, changes: ProductChanges, outbox: OutboxEntry[]): Promise<Product | undefined>;
  /** Marks the product deleted if still at `current.version`; undefined when it is not (or is gone). */
  softDelete(current: Product, outbox: OutboxEntry[]): Promise<Product | undefined>;
  list(query: { filter: ProductFilter; sort: ProductSort; after?: CursorPosition; limit: number }): Promise<Product[]>;
}

export type ProductLookup = { by: 'id'; id: string } | { by: 'sku'; sku: string };

/** What the cache knows about one product: nothing, the product, or that it was deleted. */
export type CachedProduct = { state: 'present'; product: Product } | { state: 'deleted' } | undefined;

/**
 * A cached page; or, on a miss, `store` for the page read from the database. `store` files it under the list
 * generation the miss saw, so a page loaded before a write is never served after it. Neither when the cache failed.
 */
export interface ListCacheLookup {
  page?: ProductPage;
  store?: (page: ProductPage) => Promise<void>;
}

/**
 * Read-through cache. Implementations never throw: a failing cache is a miss (logged and counted),
 * and the request falls back to the database.
 */
export interface ProductCache {
  get(lookup: ProductLookup): Promise<CachedProduct>;
  /** Stores the product unless the cache already holds a newer version of it (a slower reader cannot undo a write). */
  put(product: Product): Promise<void>;
  /** Replaces the entries of a deleted product with a tombstone of its last version. */
  putDeleted(product: Product): Promise<void>;
  getList(query: ProductListQuery): Promise<ListCacheLookup>;
  /** Makes every cached list unreachable; called by every write. */
  invalidateLists(): Promise<void>;
}

export type WriteOperation = 'create' | 'update' | 'delete';

export interface ProductMetrics {
  productWritten(operation: WriteOperation): void;
}

export interface ProductDeps {
  products: ProductRepository;
  cache: ProductCache;
  metrics: ProductMetrics;
}
