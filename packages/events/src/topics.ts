import type Joi from 'joi';
import type { InventoryRejectedV1, InventoryReservedV1 } from './inventory';
import { inventoryRejectedV1, inventoryReservedV1 } from './inventory';
import type { OrderCancelledV1, OrderConfirmedV1, OrderCreatedV1, OrderRejectedV1 } from './order';
import { orderCancelledV1, orderConfirmedV1, orderCreatedV1, orderRejectedV1 } from './order';
import type { ProductCreatedV1, ProductDeletedV1, ProductUpdatedV1 } from './product';
import { productCreatedV1, productDeletedV1, productUpdatedV1 } from './product';
import type { UserRegisteredV1 } from './user';
import { userRegisteredV1 } from './user';

/** Every topic on the platform. One event type per topic; its name is the topic name. */
export const Topics = {
  UserRegistered: 'user.registered',
  ProductCreated: 'product.created',
  ProductUpdated: 'product.updated',
  ProductDeleted: 'product.deleted',
  OrderCreated: 'order.created',
  OrderConfirmed: 'order.confirmed',
  OrderRejected: 'order.rejected',
  OrderCancelled: 'order.cancelled',
  InventoryReserved: 'inventory.reserved',
  InventoryRejected: 'inventory.rejected',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

/** Topic -> payload type of its current version; the producer and consumer APIs are typed with it. */
export interface EventTopics {
  'user.registered': UserRegisteredV1;
  'product.created': ProductCreatedV1;
  'product.updated': ProductUpdatedV1;
  'product.deleted': ProductDeletedV1;
  'order.created': OrderCreatedV1;
  'order.confirmed': OrderConfirmedV1;
  'order.rejected': OrderRejectedV1;
  'order.cancelled': OrderCancelledV1;
  'inventory.reserved': InventoryReservedV1;
  'inventory.rejected': InventoryRejectedV1;
}

/** Topic -> joi schema of its payload (the kit wraps it in the envelope schema). */
export const payloadSchemas: { [T in Topic]: Joi.ObjectSchema<EventTopics[T]> } = {
  'user.registered': userRegisteredV1,
  'product.created': productCreatedV1,
  'product.updated': productUpdatedV1,
  'product.deleted': productDeletedV1,
  'order.created': orderCreatedV1,
  'order.confirmed': orderConfirmedV1,
  'order.rejected': orderRejectedV1,
  'order.cancelled': orderCancelledV1,
  'inventory.reserved': inventoryReservedV1,
  'inventory.rejected': inventoryRejectedV1,
};

/** Current schema version per topic; bump it (and add a V2 schema) on a breaking payload change. */
export const schemaVersions: { [T in Topic]: number } = Object.fromEntries(
  Object.values(Topics).map((topic) => [topic, 1]),
) as { [T in Topic]: number };

/**
 * Partitions per topic. Messages are keyed by aggregate id (order id, product id, sku), so events of one
 * aggregate stay ordered; three partitions let up to three replicas of a consumer share the work.
 */
export const topicPartitions = 3;
