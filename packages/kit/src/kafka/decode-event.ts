import type Joi from 'joi';
import type { EventEnvelope } from './envelope';

export type DecodeResult<TPayload> = { ok: true; event: EventEnvelope<TPayload> } | { ok: false; error: Error };

/**
 * JSON-parses and validates one message value. Never throws: a message that fails here will fail the same way
 * on every redelivery (a poison message), so the caller dead-letters it at once instead of retrying.
 */
export function decodeEvent<TPayload>(
  value: Buffer | null,
  schema: Joi.ObjectSchema<EventEnvelope<TPayload>>,
): DecodeResult<TPayload> {
  if (value === null) return { ok: false, error: new InvalidEventError('message has no value (tombstone)') };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, error: new InvalidEventError(`value is not JSON: ${(err as Error).message}`) };
  }
  // abortEarly off: the dead-letter header then lists every problem, not just the first.
  const { error, value: event } = schema.validate(json, { abortEarly: false });
  if (error) return { ok: false, error: new InvalidEventError(error.message) };
  return { ok: true, event };
}

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}
