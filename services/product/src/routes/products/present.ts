import type { Product } from '../../domain/product';
import type { ProductResponse } from '../../schemas/products';

/** The public representation: the stored version travels in the ETag, not in the body. */
export function presentProduct(product: Product): ProductResponse {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    category: product.category,
    priceMinor: product.priceMinor,
    currency: product.currency,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}
