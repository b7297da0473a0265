import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { OutboxFields } from '@platform/kit';
import { outboxSchemaPlugin } from '@platform/kit/mongoose';
import { ORDER_STATUSES, type OrderLine, type OrderStatus } from '../domain/order';

export const ORDERS_COLLECTION = 'orders';

/** One status change, appended by the same update that makes it: the order's history. */
export interface OrderTransition {
  from: OrderStatus;
  to: OrderStatus;
  at: Date;
}

export interface OrderDocument extends OutboxFields {
  _id: Types.ObjectId;
  userId: string;
  status: OrderStatus;
  lines: OrderLine[];
  currency: string;
  totalMinor: number;
  rejectionReason?: string;
  cancelledBy?: string;
  history?: OrderTransition[];
  createdAt: Date;
  updatedAt: Date;
}

const transitionSchema = new Schema<OrderTransition>(
  {
    from: { type: String, enum: ORDER_STATUSES, required: true },
    to: { type: String, enum: ORDER_STATUSES, required: true },
    at: { type: Date, required: true },
  },
  { _id: false },
);

const lineSchema = new Schema<OrderLine>(
  {
    productId: { type: String, required: true },
    sku: { type: String, required: true },
    quantity: { type: Number, required: true },
    unitPriceMinor: { type: Number, required: true },
  },
  { _id: false },
);

const orderSchema = new Schema<OrderDocument>(
  {
    userId: { type: String, required: true },
    status: { type: String, enum: ORDER_STATUSES, required: true },
    lines: { type: [lineSchema], required: true },
    currency: { type: String, required: true },
    totalMinor: { type: Number, required: true },
    rejectionReason: { type: String },
    cancelledBy: { type: String },
    history: { type: [transitionSchema], default: undefined },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: ORDERS_COLLECTION, versionKey: false },
);

// Events the kit's relay has yet to publish, always written in the same update as the change they describe, and
// the relay's index (built by the kit's migration).
orderSchema.plugin(outboxSchemaPlugin);

// Lists are newest first with _id breaking ties (the cursor's key): one index per way of listing.
orderSchema.index({ userId: 1, createdAt: -1, _id: -1 }); // a customer's orders (admin ?userId= too)
orderSchema.index({ status: 1, createdAt: -1, _id: -1 }); // admin ?status=
orderSchema.index({ createdAt: -1, _id: -1 }); // admin, everyone's

export function orderModel(connection: Connection): Model<OrderDocument> {
  return (
    (connection.models.Order as Model<OrderDocument> | undefined) ??
    connection.model<OrderDocument>('Order', orderSchema)
  );
}
