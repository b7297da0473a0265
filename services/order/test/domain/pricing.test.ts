import { assertDistinctProducts, MAX_TOTAL_MINOR, priceOrder } from '../../src/domain/pricing';
import type { CatalogProduct } from '../../src/domain/ports';

const product = (id: string, overrides: Partial<CatalogProduct> = {}): CatalogProduct => ({
  id,
  sku: `SKU-${id.slice(-4).toUpperCase()}`,
  priceMinor: 500,
  currency: 'EUR',
  ...overrides,
});
const ids = { a: 'a'.repeat(24), b: 'b'.repeat(24), c: 'c'.repeat(24) };
const catalog = (...products: CatalogProduct[]) => new Map(products.map((p) => [p.id, p]));

describe('priceOrder', () => {
  it('when every product is known, then each line snapshots sku and unit price, and the total adds them up', () => {
    const priced = priceOrder(
      [
        { productId: ids.a, quantity: 3 },
        { productId: ids.b, quantity: 1 },
      ],
      catalog(product(ids.a, { priceMinor: 250 }), product(ids.b, { priceMinor: 1_999 })),
    );

    expect(priced).toEqual({
      lines: [
        { productId: ids.a, sku: 'SKU-AAAA', quantity: 3, unitPriceMinor: 250 },
        { productId: ids.b, sku: 'SKU-BBBB', quantity: 1, unitPriceMinor: 1_999 },
      ],
      currency: 'EUR',
      totalMinor: 2_749,
    });
  });

  it('when products are unknown, then UNKNOWN_PRODUCT lists every unknown id', () => {
    const lines = [ids.a, ids.b, ids.c].map((productId) => ({ productId, quantity: 1 }));

    expect(() => priceOrder(lines, catalog(product(ids.b)))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_PRODUCT', extensions: { productIds: [ids.a, ids.c] } }),
    );
  });

  it('when products have different currencies, then MIXED_CURRENCIES', () => {
    const lines = [ids.a, ids.b].map((productId) => ({ productId, quantity: 1 }));

    expect(() => priceOrder(lines, catalog(product(ids.a), product(ids.b, { currency: 'USD' })))).toThrow(
      expect.objectContaining({ code: 'MIXED_CURRENCIES' }),
    );
  });

  it("when a currency is requested, then it must be the products' currency", () => {
    const lines = [{ productId: ids.a, quantity: 1 }];

    expect(priceOrder(lines, catalog(product(ids.a)), 'EUR').currency).toBe('EUR');
    expect(() => priceOrder(lines, catalog(product(ids.a)), 'GBP')).toThrow(
      expect.objectContaining({ code: 'CURRENCY_MISMATCH' }),
    );
  });

  it('when the total exceeds what an event can carry, then ORDER_TOTAL_TOO_LARGE', () => {
    const lines = [{ productId: ids.a, quantity: 1_000 }];

    expect(() => priceOrder(lines, catalog(product(ids.a, { priceMinor: MAX_TOTAL_MINOR / 1_000 })))).not.toThrow();
    expect(() => priceOrder(lines, catalog(product(ids.a, { priceMinor: MAX_TOTAL_MINOR / 1_000 + 1 })))).toThrow(
      expect.objectContaining({ code: 'ORDER_TOTAL_TOO_LARGE', status: 422 }),
    );
  });
});

describe('assertDistinctProducts', () => {
  it('when every product appears once, then it passes', () => {
    expect(() =>
      assertDistinctProducts([
        { productId: ids.a, quantity: 1 },
        { productId: ids.b, quantity: 1 },
      ]),
    ).not.toThrow();
  });

  it('when a product repeats, then VALIDATION_FAILED names each repeated line and the line it repeats', () => {
    const lines = [ids.a, ids.b, ids.a, ids.a].map((productId) => ({ productId, quantity: 1 }));

    expect(() => assertDistinctProducts(lines)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        status: 400,
        extensions: {
          errors: [
            { in: 'body', field: '/lines/2/productId', message: 'duplicates line 0' },
            { in: 'body', field: '/lines/3/productId', message: 'duplicates line 0' },
          ],
        },
      }),
    );
  });
});
