import { ProductNotFound } from '../errors';
import type { ProductDeps } from './ports';
import { checkExpectedVersion, onLostRace, type ExpectedVersions } from './preconditions';
import { productDeleted } from './product-events';

/**
 * A soft delete: the document stays (with `deletedAt`) so the product.deleted event can wait in its outbox, and
 * so its sku stays taken. Reads treat it as gone; the cache gets a tombstone so no reader serves the old entry.
 */
export async function deleteProduct(id: string, expected: ExpectedVersions, deps: ProductDeps): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.products.findById(id);
    if (!current) throw ProductNotFound(`no product ${id}`);
    checkExpectedVersion(current, expected);

    const deleted = await deps.products.softDelete(current, [productDeleted(current)]);
    if (deleted) {
      deps.metrics.productWritten('delete');
      await Promise.all([deps.cache.putDeleted(deleted), deps.cache.invalidateLists()]);
      return;
    }
    onLostRace(id, expected, attempt);
  }
}
