import type { EventEnvelope } from './envelope';
import { captureTraceContext } from './trace-capture';

/**
 * An event waiting to be published, stored in the `outbox` array of the aggregate's own document and written
 * in the same single-document update as the state change it describes: either both happen or neither does,
 * with no transaction (FerretDB has none, and a real MongoDB does not need one for this).
 */
export interface OutboxEntry {
  topic: string;
  key: string;
  event: EventEnvelope;
  /** Trace context of the request that wrote the entry, so the published event continues its trace. */
  trace?: Record<string, string>;
}

/** An entry the relay gave up on (the broker kept refusing it); kept on the document for an operator. */
export interface ParkedOutboxEntry extends OutboxEntry {
  attempts: number;
  error: string;
  parkedAt: Date;
}

/**
 * The relay's fields on an aggregate document. `outboxPending` is there exactly while `outbox` is not empty, so
 * the recovery sweep finds work by equality on one indexed field (the only kind of filter every MongoDB-protocol
 * backend answers from an index) and orders it by `outboxDueAt`.
 */
export interface OutboxFields {
  outbox: OutboxEntry[];
  outboxPending?: true;
  /** When the head entry may next be tried: the end of a holder's lease, or of a failed entry's backoff. */
  outboxDueAt?: Date;
  /** Token of whoever holds the document right now (the writer that stamped it, or a sweep that claimed it). */
  outboxLease?: string;
  /** Failed attempts of the head entry (reset when it is published or parked). */
  outboxAttempts?: number;
  outboxError?: string;
  outboxParked?: ParkedOutboxEntry[];
}

export function outboxEntry<T>(topic: string, key: string, event: EventEnvelope<T>): OutboxEntry {
  const trace = captureTraceContext();
  return { topic, key, event: event as EventEnvelope, ...(trace ? { trace } : {}) };
}

/** The sweep's index, created by the kit's migration (`outboxMigration`) on every outbox collection. */
export const OUTBOX_INDEX = {
  key: { outboxPending: 1, outboxDueAt: 1 },
  name: 'outboxPending_1_outboxDueAt_1',
} as const;
