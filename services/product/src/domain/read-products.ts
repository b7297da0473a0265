import { InvalidPriceRange, ProductNotFound } from '../errors';
import { decodeCursor, encodeCursor, positionAfter } from './cursor';
import type { ProductDeps, ProductLookup } from './ports';
import type { Product, ProductListQuery, ProductPage } from './product';

type ReadDeps = Pick<ProductDeps, 'products' | 'cache'>;

function describe(lookup: ProductLookup): string {
  return lookup.by === 'id' ? `no product ${lookup.id}` : `no product with sku ${lookup.sku}`;
}

/** Read-through: the cache first, the database on a miss (or a cache failure), then the cache is filled. */
export async function getProduct(lookup: ProductLookup, deps: ReadDeps): Promise<Product> {
  const cached = await deps.cache.get(lookup);
  if (cached?.state === 'present') return cached.product;
  if (cached?.state === 'deleted') throw ProductNotFound(describe(lookup));

  const product =
    lookup.by === 'id' ? await deps.products.findById(lookup.id) : await deps.products.findBySku(lookup.sku);
  if (!product) throw ProductNotFound(describe(lookup));
  await deps.cache.put(product);
  return product;
}

/** One page in keyset order; asks for one extra row to learn whether another page follows. */
export async function listProducts(query: ProductListQuery, deps: ReadDeps): Promise<ProductPage> {
  const { sort, limit, cursor, category, minPrice, maxPrice, q } = query;
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    throw InvalidPriceRange(`minPrice (${minPrice}) is greater than maxPrice (${maxPrice})`);
  }
  const after = cursor === undefined ? undefined : decodeCursor(cursor, sort);

  const cached = await deps.cache.getList(query);
  if (cached.page) return cached.page;

  const rows = await deps.products.list({ filter: { category, minPrice, maxPrice, q }, sort, after, limit: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const page = { items, nextCursor: rows.length > limit && last ? encodeCursor(positionAfter(last, sort)) : null };
  await cached.store?.(page);
  return page;
}
