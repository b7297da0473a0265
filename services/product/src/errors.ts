import { createError } from '@platform/kit/core';

/** This service's error codes; clients match on `code`, never on the wording. */
export const ProductNotFound = createError('PRODUCT_NOT_FOUND', 'Product not found', 404);
export const SkuTaken = createError('SKU_TAKEN', 'SKU already in use', 409);
export const ProductWriteConflict = createError('PRODUCT_WRITE_CONFLICT', 'Product changed concurrently', 409);
export const ProductVersionMismatch = createError(
  'PRODUCT_VERSION_MISMATCH',
  'Product changed since the given ETag',
  412,
);
export const InvalidCursor = createError('INVALID_CURSOR', 'Invalid pagination cursor', 400);
export const InvalidPriceRange = createError('INVALID_PRICE_RANGE', 'Invalid price range', 400);
