import { ProductNotFound } from '../errors';
import type { ProductDeps } from './ports';
import { checkExpectedVersion, onLostRace, type ExpectedVersions } from './preconditions';
import { effectiveChanges, type Product, type ProductChanges } from './product';
import { productUpdated } from './product-events';

/**
 * Applies the changes as a conditional update on the version just read, so the product.updated event stored with
 * it describes exactly the state written. A PATCH that changes nothing writes nothing and publishes nothing.
 */
export async function updateProduct(
  id: string,
  changes: ProductChanges,
  expected: ExpectedVersions,
  deps: ProductDeps,
): Promise<Product> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.products.findById(id);
    if (!current) throw ProductNotFound(`no product ${id}`);
    checkExpectedVersion(current, expected);
    const effective = effectiveChanges(current, changes);
    if (Object.keys(effective).length === 0) return current;

    const updated = await deps.products.update(current, effective, [productUpdated({ ...current, ...effective })]);
    if (updated) {
      deps.metrics.productWritten('update');
      await Promise.all([deps.cache.put(updated), deps.cache.invalidateLists()]);
      return updated;
    }
    onLostRace(id, expected, attempt);
  }
}
