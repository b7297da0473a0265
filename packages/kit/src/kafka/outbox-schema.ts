import { Schema } from 'mongoose';
import { OUTBOX_INDEX, type OutboxEntry, type ParkedOutboxEntry } from './outbox';

const entrySchema = {
  topic: { type: String, required: true },
  key: { type: String, required: true },
  // Mixed: the envelope is stored exactly as built, and published exactly as stored.
  event: { type: Schema.Types.Mixed, required: true },
  trace: { type: Schema.Types.Mixed },
};

const outboxEntrySchema = new Schema<OutboxEntry>(entrySchema, { _id: false });
const parkedEntrySchema = new Schema<ParkedOutboxEntry>(
  { ...entrySchema, attempts: Number, error: String, parkedAt: Date },
  { _id: false },
);

/**
 * Mongoose schema plugin for an aggregate that publishes through the outbox: adds the fields above and declares
 * the sweep's index (models build no index themselves; migrations do, and the services' migration tests compare).
 */
export function outboxSchemaPlugin(schema: Schema): void {
  schema.add({
    outbox: { type: [outboxEntrySchema], default: [] },
    outboxPending: { type: Boolean },
    outboxDueAt: { type: Date },
    outboxLease: { type: String },
    outboxAttempts: { type: Number },
    outboxError: { type: String },
    outboxParked: { type: [parkedEntrySchema], default: undefined },
  });
  schema.index(OUTBOX_INDEX.key, { name: OUTBOX_INDEX.name });
}
