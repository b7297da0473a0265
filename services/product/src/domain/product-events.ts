import { createEvent, outboxEntry, type OutboxEntry } from '@platform/kit';
import { payloadSchemas, Topics, type EventTopics, type ProductSnapshotV1 } from '@platform/events';
import type { Product } from './product';

type ProductTopic = typeof Topics.ProductCreated | typeof Topics.ProductUpdated | typeof Topics.ProductDeleted;

/**
 * An outbox entry keyed by product id, so every event of one product lands on one partition, in order.
 * The payload is checked against the published contract first: an event the contract forbids is a bug here,
 * and must fail the write rather than reach the consumers.
 */
function productEntry<T extends ProductTopic>(topic: T, productId: string, payload: EventTopics[T]): OutboxEntry {
  const { error } = payloadSchemas[topic].validate(payload);
  if (error) throw new Error(`${topic} payload breaks its contract: ${error.message}`);
  return outboxEntry(topic, productId, createEvent(topic, payload));
}

/** The product facts other services keep; built before the write, so it describes the state being stored. */
type Snapshotted = Pick<Product, 'id' | 'sku' | 'name' | 'category' | 'priceMinor' | 'currency'>;

function snapshot(product: Snapshotted): ProductSnapshotV1 {
  const { id: productId, sku, name, category, priceMinor, currency } = product;
  return { productId, sku, name, category, priceMinor, currency };
}

export function productCreated(product: Snapshotted): OutboxEntry {
  return productEntry(Topics.ProductCreated, product.id, snapshot(product));
}

/** Carries the product as it is after the change, including the current price. */
export function productUpdated(product: Snapshotted): OutboxEntry {
  return productEntry(Topics.ProductUpdated, product.id, snapshot(product));
}

export function productDeleted(product: Pick<Product, 'id' | 'sku'>): OutboxEntry {
  return productEntry(Topics.ProductDeleted, product.id, { productId: product.id, sku: product.sku });
}
