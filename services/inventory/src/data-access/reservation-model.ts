import { Schema, type Connection, type Model } from 'mongoose';
import type { RejectedLineV1 } from '@platform/events';
import type { OutboxFields } from '@platform/kit';
import { outboxSchemaPlugin } from '@platform/kit/mongoose';
import type { ReleaseCause, ReservationLine, ReservationStatus } from '../domain/ports';

/** One per order: what it holds, where it stands, and (in `outbox`) the inventory.* event of its outcome. */
export interface ReservationDocument extends OutboxFields {
  orderId: string;
  lines: ReservationLine[];
  status: ReservationStatus;
  cancelRequested: boolean;
  releasePending: boolean;
  releaseCause?: ReleaseCause;
  releasedFrom?: ReservationStatus;
  commitPending?: boolean;
  rejectedLines?: RejectedLineV1[];
  leaseOwner?: string;
  leaseUntil?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const lineSchema = new Schema<ReservationLine>(
  { sku: { type: String, required: true }, quantity: { type: Number, required: true } },
  { _id: false },
);

const rejectedLineSchema = new Schema<RejectedLineV1>(
  {
    sku: { type: String, required: true },
    requested: { type: Number, required: true },
    available: { type: Number, required: true },
    reason: { type: String, required: true },
  },
  { _id: false },
);

const reservationSchema = new Schema<ReservationDocument>(
  {
    orderId: { type: String, required: true },
    lines: { type: [lineSchema], default: [] },
    status: { type: String, required: true, enum: ['PENDING', 'RESERVED', 'REJECTED', 'RELEASED', 'CONFIRMED'] },
    cancelRequested: { type: Boolean, required: true, default: false },
    releasePending: { type: Boolean, required: true, default: false },
    // `expired` only on reservations released by the time-based expiry this service no longer has.
    releaseCause: { type: String, enum: ['cancelled', 'rejected', 'expired'] },
    releasedFrom: { type: String, enum: ['PENDING', 'RESERVED', 'CONFIRMED'] },
    commitPending: { type: Boolean },
    rejectedLines: { type: [rejectedLineSchema], default: undefined },
    leaseOwner: { type: String },
    leaseUntil: { type: Date },
  },
  { collection: 'reservations', versionKey: false, timestamps: true },
);
// The outbox (written by the domain in the same update as the status; the kit's relay publishes and removes it) and
// the relay's index, built by the kit's migration.
reservationSchema.plugin(outboxSchemaPlugin);
reservationSchema.index({ orderId: 1 }, { unique: true });
// Releases and commits a crash interrupted.
reservationSchema.index({ releasePending: 1 });
reservationSchema.index({ commitPending: 1 });

export function reservationModel(connection: Connection): Model<ReservationDocument> {
  return (
    (connection.models.Reservation as Model<ReservationDocument> | undefined) ??
    connection.model<ReservationDocument>('Reservation', reservationSchema)
  );
}
