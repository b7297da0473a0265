import { randomUUID } from 'node:crypto';
import Joi from 'joi';

/**
 * What every event on every topic looks like. The envelope is the kit's concern; `payload` belongs to the
 * event's owner and is described by the versioned schemas in @platform/events.
 */
export interface EventEnvelope<TPayload = unknown> {
  /** Unique per event (not per delivery): consumers deduplicate on it. */
  id: string;
  /** e.g. "order.created"; several types may share a topic. */
  type: string;
  /** Version of the payload schema, bumped on breaking changes. */
  version: number;
  /** When the fact happened, ISO 8601 in UTC; not when it was published or consumed. */
  occurredAt: string;
  payload: TPayload;
}

export interface CreateEventOptions {
  version?: number;
  /** Supply one to make a retried publish deduplicate downstream (e.g. an id stored with an outbox row). */
  id?: string;
  occurredAt?: Date;
}

export function createEvent<TPayload>(
  type: string,
  payload: TPayload,
  { version = 1, id = randomUUID(), occurredAt = new Date() }: CreateEventOptions = {},
): EventEnvelope<TPayload> {
  return { id, type, version, occurredAt: occurredAt.toISOString(), payload };
}

/**
 * The envelope around a topic's payload schema. Unknown envelope fields are allowed (tolerant reader):
 * a producer may add one, e.g. a correlation id, without breaking consumers that do not know it yet.
 */
export function envelopeSchema<TPayload>(payload: Joi.Schema<TPayload>): Joi.ObjectSchema<EventEnvelope<TPayload>> {
  return Joi.object<EventEnvelope<TPayload>>({
    id: Joi.string().guid().required(),
    type: Joi.string().min(1).required(),
    version: Joi.number().integer().min(1).required(),
    occurredAt: Joi.string().isoDate().required(),
    payload: payload.required(),
  }).unknown(true);
}
