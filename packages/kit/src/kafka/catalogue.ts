import type Joi from 'joi';
import { createEvent, type CreateEventOptions, type EventEnvelope } from './envelope';
import type { MessageContext } from './handler';
import { outboxEntry, type OutboxEntry } from './outbox';

/**
 * Every event type of the platform: the topic it travels on (one per aggregate, keyed by the aggregate's id, so
 * the events of one aggregate are consumed in the order they were published, whatever their type), the version
 * producers write now, and the payload schema of every version consumers still accept. @platform/events defines it.
 */
export type EventCatalogue = Readonly<
  Record<
    string,
    { readonly topic: string; readonly version: number; readonly schemas: Readonly<Record<number, Joi.Schema>> }
  >
>;

type SchemaPayload<S> = S extends Joi.ObjectSchema<infer P> ? P : S extends Joi.Schema<infer P> ? P : unknown;

/** The payload of the version producers write now. */
export type CurrentPayload<C extends EventCatalogue, T extends keyof C> = SchemaPayload<
  C[T]['schemas'][C[T]['version']]
>;

/** What a consumer may receive for a type: any version it still accepts. */
export type AcceptedPayload<C extends EventCatalogue, T extends keyof C> = {
  [V in keyof C[T]['schemas']]: SchemaPayload<C[T]['schemas'][V]>;
}[keyof C[T]['schemas']];

/** Handles one event type; receives only events its schema accepted. Idempotent; throws to ask for a retry. */
export type EventHandler<TPayload = unknown> = (
  event: EventEnvelope<TPayload>,
  context: MessageContext,
) => Promise<void>;

/** Event type -> handler. The consumer subscribes to the topics of these types and skips the other types on them. */
export type EventHandlers<C extends EventCatalogue> = { [T in keyof C]?: EventHandler<AcceptedPayload<C, T>> };

/**
 * An event of a catalogued type, in its current version, with the topic it goes to. The payload is checked here:
 * an event its own schema rejects is a bug of the producer, and must not reach a consumer (which would dead-letter it).
 */
export function catalogueEvent<C extends EventCatalogue, T extends keyof C & string>(
  catalogue: C,
  type: T,
  payload: CurrentPayload<C, T>,
  options: Omit<CreateEventOptions, 'version'> = {},
): { topic: string; event: EventEnvelope<CurrentPayload<C, T>> } {
  const { topic, version, schemas } = catalogue[type]!;
  const { error } = schemas[version]!.validate(payload);
  if (error) throw new Error(`${type} v${version} payload is invalid: ${error.message}`);
  return { topic, event: createEvent(type, payload, { ...options, version }) };
}

/** The outbox entry of a catalogued event, keyed by its aggregate's id (see catalogueEvent). */
export function eventEntry<C extends EventCatalogue, T extends keyof C & string>(
  catalogue: C,
  type: T,
  aggregateId: string,
  payload: CurrentPayload<C, T>,
  options: Omit<CreateEventOptions, 'version'> = {},
): OutboxEntry {
  const { topic, event } = catalogueEvent(catalogue, type, payload, options);
  return outboxEntry(topic, aggregateId, event);
}
