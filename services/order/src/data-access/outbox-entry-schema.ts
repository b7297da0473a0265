import { Schema } from 'mongoose';
import type { OutboxEntry } from '@platform/kit';

/** The kit relay's entry; the envelope is Mixed so it is stored exactly as built. */
export const outboxEntrySchema = new Schema<OutboxEntry>(
  {
    topic: { type: String, required: true },
    key: { type: String, required: true },
    event: { type: Schema.Types.Mixed, required: true },
    // W3C trace context of the request that wrote the entry; the relay publishes the event in that trace.
    trace: { type: Schema.Types.Mixed },
  },
  { _id: false },
);
