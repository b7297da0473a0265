import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { OutboxEntry } from '@platform/kit';
import { ORDER_STATUSES, type OrderStatus } from '../domain/order';
import { outboxEntrySchema } from './outbox-entry-schema';

export const ORDER_TRANSITIONS_COLLECTION = 'order_transitions';

/**
 * A transition as decided, before and after it is applied to the order: also the order's history.
 * The order leaves each status at most once (the machine has no cycles), so (orderId, from) names the one
 * transition out of a status, and its unique index decides between concurrent ones. Conditional updates alone
 * cannot: FerretDB's SQLite backend runs an update as read-then-write without isolation, so two updates with the
 * same `{ _id, status }` filter can both match (FerretDB/FerretDB#3040). Unique indexes hold there too.
 */
export interface OrderTransitionDocument {
  _id: Types.ObjectId;
  orderId: string;
  from: OrderStatus;
  to: OrderStatus;
  rejectionReason?: string;
  cancelledBy?: string;
  /** Exactly what is added to the order's outbox, so whoever completes the transition writes the same events. */
  events: OutboxEntry[];
  decidedAt: Date;
}

const orderTransitionSchema = new Schema<OrderTransitionDocument>(
  {
    orderId: { type: String, required: true },
    from: { type: String, enum: ORDER_STATUSES, required: true },
    to: { type: String, enum: ORDER_STATUSES, required: true },
    rejectionReason: { type: String },
    cancelledBy: { type: String },
    events: { type: [outboxEntrySchema], default: [] },
    decidedAt: { type: Date, required: true },
  },
  { collection: ORDER_TRANSITIONS_COLLECTION, versionKey: false },
);

orderTransitionSchema.index({ orderId: 1, from: 1 }, { unique: true });

export function orderTransitionModel(connection: Connection): Model<OrderTransitionDocument> {
  return (
    (connection.models.OrderTransition as Model<OrderTransitionDocument> | undefined) ??
    connection.model<OrderTransitionDocument>('OrderTransition', orderTransitionSchema)
  );
}
