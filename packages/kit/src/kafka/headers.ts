import type { IHeaders } from 'kafkajs';

/**
 * Header names the kit writes. Event id and type are duplicated from the envelope into headers so tools
 * (kcat, the DLQ replayer, a broker UI) can filter without parsing the value.
 */
export const EventHeaders = {
  id: 'event-id',
  type: 'event-type',
  version: 'event-version',
  contentType: 'content-type',
} as const;

/** Added to a dead-lettered message, next to its original headers, to say what went wrong and where. */
export const DeadLetterHeaders = {
  errorType: 'x-error-type',
  errorName: 'x-error-name',
  errorMessage: 'x-error-message',
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  consumerGroup: 'x-consumer-group',
  attempts: 'x-attempts',
  failedAt: 'x-failed-at',
} as const;

export const JSON_CONTENT_TYPE = 'application/json';

/** kafkajs hands header values over as Buffers (or arrays of them when a name repeats); handlers want strings. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    // A repeated header keeps its last value, as most HTTP-minded code expects.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = last.toString();
  }
  return decoded;
}
