import Joi from 'joi';
import type { EventHandler } from './catalogue';
import { envelopeSchema, type EventEnvelope } from './envelope';

/** What one topic may carry, compiled once per consumer: event type -> accepted versions and this group's handler. */
export type CompiledTopic = Map<string, CompiledType>;

export interface CompiledType {
  /** Version -> envelope schema around that version's payload schema. */
  versions: Map<number, Joi.ObjectSchema<EventEnvelope>>;
  /** Absent: another group's business; events of this type are skipped. */
  handle?: EventHandler;
}

/**
 * `event`: valid, for this group's handler. `unhandled`: a type of this topic that this group does not handle
 * (acknowledged and counted, never dead-lettered). `invalid`: fails the same way on every redelivery (a poison
 * message), so the caller dead-letters it at once instead of retrying.
 */
export type DecodeResult =
  | { kind: 'event'; event: EventEnvelope; handle: EventHandler }
  | { kind: 'unhandled'; type: string }
  | { kind: 'invalid'; error: Error };

const anyEnvelope = envelopeSchema(Joi.any());

/**
 * JSON-parses one message value, reads the envelope's type and version, and validates the payload with the schema
 * they select. Never throws. An unknown type or version is invalid: the producer is ahead of this consumer (or
 * wrong), and a dead letter can be replayed once the consumer knows it.
 */
export function decodeEvent(value: Buffer | null, topic: CompiledTopic): DecodeResult {
  if (value === null) return invalid('message has no value (tombstone)');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return invalid(`value is not JSON: ${(err as Error).message}`);
  }
  const envelope = anyEnvelope.validate(json, { abortEarly: false });
  if (envelope.error) return invalid(envelope.error.message);
  const { type, version } = envelope.value;
  const known = topic.get(type);
  if (!known) return invalid(`unknown event type "${type}" on this topic`);
  if (!known.handle) return { kind: 'unhandled', type };
  const schema = known.versions.get(version);
  if (!schema)
    return invalid(`unknown version ${version} of ${type} (accepted: ${[...known.versions.keys()].join(', ')})`);
  // abortEarly off: the dead-letter header then lists every problem, not just the first.
  const { error, value: event } = schema.validate(json, { abortEarly: false });
  if (error) return invalid(error.message);
  return { kind: 'event', event, handle: known.handle };
}

function invalid(message: string): DecodeResult {
  return { kind: 'invalid', error: new InvalidEventError(message) };
}

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}
