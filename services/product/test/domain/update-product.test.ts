import { updateProduct } from '../../src/domain/update-product';
import type { ProductDeps, ProductRepository } from '../../src/domain/ports';
import type { Product } from '../../src/domain/product';

/** Dense retry logic, proven with fakes: racing writers are hard to provoke on purpose against a real database. */
function product(version: number, priceMinor = 1000): Product {
  const at = new Date('2026-01-01T00:00:00.000Z');
  return {
    id: 'a'.repeat(24),
    sku: 'MUG-01',
    name: 'Mug',
    description: '',
    category: 'kitchen',
    priceMinor,
    currency: 'EUR',
    version,
    createdAt: at,
    updatedAt: at,
  };
}

function fakeDeps(reads: Product[], updateResults: Array<Product | undefined>) {
  const products = {
    findById: jest.fn(async () => reads.shift()),
    update: jest.fn(async () => updateResults.shift()),
  } as unknown as jest.Mocked<ProductRepository>;
  const cache = { put: jest.fn(), invalidateLists: jest.fn() };
  const metrics = { productWritten: jest.fn() };
  return { products, cache, metrics, deps: { products, cache, metrics } as unknown as ProductDeps };
}

describe('updateProduct', () => {
  it('when another write wins the race, then it re-reads and applies the change to the new version', async () => {
    const { deps, products } = fakeDeps([product(1), product(2, 1200)], [undefined, product(3, 1500)]);

    const updated = await updateProduct('a'.repeat(24), { priceMinor: 1500 }, undefined, deps);

    expect(updated.version).toBe(3);
    expect(products.update).toHaveBeenCalledTimes(2);
    const [current, , outbox] = products.update.mock.calls[1]!;
    expect(current.version).toBe(2);
    expect(outbox[0]!.event.payload).toMatchObject({ priceMinor: 1500, sku: 'MUG-01' });
  });

  it('when the client pinned a version with If-Match and loses the race, then 412 without a retry', async () => {
    const { deps, products } = fakeDeps([product(1), product(2)], [undefined]);

    await expect(updateProduct('a'.repeat(24), { priceMinor: 1 }, [1], deps)).rejects.toMatchObject({
      code: 'PRODUCT_VERSION_MISMATCH',
      status: 412,
    });
    expect(products.update).toHaveBeenCalledTimes(1);
  });

  it('when the product keeps changing under it, then it gives up with 409 after a bounded number of attempts', async () => {
    const reads = [1, 2, 3, 4, 5, 6].map((v) => product(v));
    const { deps, products } = fakeDeps(reads, [undefined, undefined, undefined, undefined, undefined]);

    await expect(updateProduct('a'.repeat(24), { priceMinor: 1 }, undefined, deps)).rejects.toMatchObject({
      code: 'PRODUCT_WRITE_CONFLICT',
      status: 409,
    });
    expect(products.update).toHaveBeenCalledTimes(5);
  });

  it('when the changes repeat the current values, then nothing is written', async () => {
    const { deps, products, metrics } = fakeDeps([product(4, 900)], []);

    const result = await updateProduct('a'.repeat(24), { priceMinor: 900 }, undefined, deps);

    expect(result.version).toBe(4);
    expect(products.update).not.toHaveBeenCalled();
    expect(metrics.productWritten).not.toHaveBeenCalled();
  });
});
