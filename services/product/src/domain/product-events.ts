import { eventEntry, type OutboxEntry } from '@platform/kit/core';
import { eventCatalogue, EventTypes, type ProductSnapshotV1 } from '@platform/events';
import type { Product } from './product';

/*
 * Every product event goes to the products topic keyed by product id, so the events of one product land on one
 * partition, in order. eventEntry checks the payload against the published contract first: an event the contract
 * forbids is a bug here, and must fail the write rather than reach the consumers.
 */

/** The product facts other services keep; built before the write, so it describes the state being stored. */
type Snapshotted = Pick<Product, 'id' | 'sku' | 'name' | 'category' | 'priceMinor' | 'currency'>;

function snapshot(product: Snapshotted): ProductSnapshotV1 {
  const { id: productId, sku, name, category, priceMinor, currency } = product;
  return { productId, sku, name, category, priceMinor, currency };
}

export function productCreated(product: Snapshotted): OutboxEntry {
  return eventEntry(eventCatalogue, EventTypes.ProductCreated, product.id, snapshot(product));
}

/** Carries the product as it is after the change, including the current price. */
export function productUpdated(product: Snapshotted): OutboxEntry {
  return eventEntry(eventCatalogue, EventTypes.ProductUpdated, product.id, snapshot(product));
}

export function productDeleted(product: Pick<Product, 'id' | 'sku'>): OutboxEntry {
  return eventEntry(eventCatalogue, EventTypes.ProductDeleted, product.id, { productId: product.id, sku: product.sku });
}
