import type { ProductDeps } from './ports';
import type { NewProduct, Product } from './product';
import { productCreated } from './product-events';

/** Stores a new product and its product.created event in one insert; the cache learns it at once. */
export async function createProduct(input: NewProduct, deps: ProductDeps): Promise<Product> {
  const id = deps.products.nextId();
  const product = await deps.products.insert(id, input, [productCreated({ id, ...input })]);
  deps.metrics.productWritten('create');
  await Promise.all([deps.cache.put(product), deps.cache.invalidateLists()]);
  return product;
}
