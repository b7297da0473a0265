import type Joi from 'joi';
import { inventoryRejectedV1, inventoryReservedV1 } from './inventory';
import { orderCancelledV1, orderConfirmedV1, orderCreatedV1, orderRejectedV1 } from './order';
import { productCreatedV1, productDeletedV1, productUpdatedV1 } from './product';
import { userRegisteredV1 } from './user';

/**
 * Every topic on the platform: one per aggregate, keyed by the aggregate's id, so every event of one aggregate lands
 * on one partition and is consumed in the order it was published, whatever its type. The event type and the version
 * of its payload travel in the envelope. The `.v1` suffix is the version of the topic itself: a new topic is only
 * needed when the key or the partitioning changes (see README.md, "Versioning").
 */
export const Topics = {
  /** Keyed by user id. */
  Users: 'users.v1',
  /** Keyed by product id. */
  Products: 'products.v1',
  /** Keyed by order id. */
  Orders: 'orders.v1',
  /** Inventory's answer to an order, keyed by order id. */
  InventoryReservations: 'inventory-reservations.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const EventTypes = {
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

/**
 * Event type -> its topic, the version producers write now, and the payload schema of every version consumers must
 * still accept. The kit's consumers select the schema by the envelope's type and version; producers write `version`
 * (`eventEntry(eventCatalogue, type, aggregateId, payload)` from @platform/kit).
 */
export const eventCatalogue = {
  'user.registered': { topic: Topics.Users, version: 1, schemas: { 1: userRegisteredV1 } },
  'product.created': { topic: Topics.Products, version: 1, schemas: { 1: productCreatedV1 } },
  'product.updated': { topic: Topics.Products, version: 1, schemas: { 1: productUpdatedV1 } },
  'product.deleted': { topic: Topics.Products, version: 1, schemas: { 1: productDeletedV1 } },
  'order.created': { topic: Topics.Orders, version: 1, schemas: { 1: orderCreatedV1 } },
  'order.confirmed': { topic: Topics.Orders, version: 1, schemas: { 1: orderConfirmedV1 } },
  'order.rejected': { topic: Topics.Orders, version: 1, schemas: { 1: orderRejectedV1 } },
  'order.cancelled': { topic: Topics.Orders, version: 1, schemas: { 1: orderCancelledV1 } },
  'inventory.reserved': { topic: Topics.InventoryReservations, version: 1, schemas: { 1: inventoryReservedV1 } },
  'inventory.rejected': { topic: Topics.InventoryReservations, version: 1, schemas: { 1: inventoryRejectedV1 } },
} as const;

export type EventCatalogue = typeof eventCatalogue;
export type EventType = keyof EventCatalogue;

type Current<T extends EventType> = EventCatalogue[T]['schemas'][EventCatalogue[T]['version']];

/** Event type -> payload type of its current version. */
export type EventPayloads = {
  -readonly [T in EventType]: Current<T> extends Joi.ObjectSchema<infer P> ? P : never;
};

/** Event type -> joi schema of its current payload version (the kit wraps it in the envelope schema). */
export const payloadSchemas = Object.fromEntries(
  Object.entries(eventCatalogue).map(([type, { version, schemas }]) => [type, schemas[version]]),
) as { [T in EventType]: Joi.ObjectSchema<EventPayloads[T]> };

/** The event types a topic carries, in catalogue order. */
export function eventTypesOf(topic: Topic): EventType[] {
  return (Object.keys(eventCatalogue) as EventType[]).filter((type) => eventCatalogue[type].topic === topic);
}

/**
 * Partitions per topic. Messages are keyed by aggregate id, so events of one aggregate stay ordered; three
 * partitions let up to three replicas of a consumer share the work. Never changed on an existing topic: that moves
 * keys between partitions (a new topic version instead).
 */
export const topicPartitions = 3;
