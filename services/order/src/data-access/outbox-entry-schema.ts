import { Schema } from 'mongoose';
import type { OutboxEntry } from '@platform/kit';

/** The kit relay's entry; the envelope is Mixed so it is stored exactly as built. */
export const outboxEntrySchema = new Schema<OutboxEntry>(
  {
    topic: { type: String, required: true },
    key: { type: String, required: true },
    event: { type: Schema.Types.Mixed, required: true },
  },
  { _id: false },
);
