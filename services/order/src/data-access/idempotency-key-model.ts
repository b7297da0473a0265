import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const IDEMPOTENCY_KEYS_COLLECTION = 'idempotency_keys';

export type IdempotencyKeyState = 'IN_PROGRESS' | 'COMPLETED';

export interface IdempotencyKeyDocument {
  _id: Types.ObjectId;
  userId: string;
  key: string;
  /** sha256 of the canonical request body: the same key with another body is refused. */
  requestHash: string;
  orderId: string;
  /**
   * IN_PROGRESS from the claim on: the key's request is done once an order with `orderId` exists. COMPLETED, with
   * `response`, only on keys written before 2026-12, which stored the answer in a second write.
   */
  state: IdempotencyKeyState;
  leaseOwner: string;
  leaseUntil: Date;
  response?: { statusCode: number; body: unknown };
  /** Keys are purged by age (FerretDB has no TTL index), see the idempotency sweeper. */
  createdAt: Date;
  completedAt?: Date;
}

const idempotencyKeySchema = new Schema<IdempotencyKeyDocument>(
  {
    userId: { type: String, required: true },
    key: { type: String, required: true },
    requestHash: { type: String, required: true },
    orderId: { type: String, required: true },
    state: { type: String, enum: ['IN_PROGRESS', 'COMPLETED'], required: true },
    leaseOwner: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
    response: {
      type: new Schema({ statusCode: Number, body: Schema.Types.Mixed }, { _id: false, minimize: false }),
    },
    createdAt: { type: Date, required: true },
    completedAt: { type: Date },
  },
  { collection: IDEMPOTENCY_KEYS_COLLECTION, versionKey: false },
);

// The unique index is what makes a key single-use when two requests race: one insert wins, the other fails.
idempotencyKeySchema.index({ userId: 1, key: 1 }, { unique: true });
idempotencyKeySchema.index({ createdAt: 1 }); // the sweeper's range delete

export function idempotencyKeyModel(connection: Connection): Model<IdempotencyKeyDocument> {
  return (
    (connection.models.IdempotencyKey as Model<IdempotencyKeyDocument> | undefined) ??
    connection.model<IdempotencyKeyDocument>('IdempotencyKey', idempotencyKeySchema)
  );
}
