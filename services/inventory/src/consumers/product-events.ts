import type { ProductCreatedV1, ProductDeletedV1 } from '@platform/events';
import type { EventEnvelope } from '@platform/kit';
import type { InventoryDeps } from '../domain/ports';
import { createStockForProduct, discontinueStock } from '../domain/stock';

/** A new product starts with nothing on the shelf; an admin restocks it. */
export function handleProductCreated(event: EventEnvelope<ProductCreatedV1>, deps: InventoryDeps): Promise<void> {
  const { sku, productId } = event.payload;
  return createStockForProduct({ sku, productId }, deps);
}

/** The record stays (reservations still point at it); it is only no longer reserved or restocked. */
export function handleProductDeleted(event: EventEnvelope<ProductDeletedV1>, deps: InventoryDeps): Promise<void> {
  const { sku, productId } = event.payload;
  return discontinueStock({ sku, productId }, deps);
}
