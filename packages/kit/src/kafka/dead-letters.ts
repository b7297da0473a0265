import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { DeadLetterHeaders, decodeHeaders } from './headers';
import type { EventProducer } from './producer';
import { deadLetterTopic } from './topics';

/** One message of a `<topic>.dlq`, with what the consumer that gave up on it wrote in its headers. */
export interface DeadLetter {
  /** Offset in the dead-letter topic: what `replay --offset` names. */
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  eventId?: string;
  eventType?: string;
  errorType?: string;
  errorName?: string;
  errorMessage?: string;
  originalTopic?: string;
  originalPartition?: string;
  originalOffset?: string;
  consumerGroup?: string;
  attempts?: string;
  failedAt?: string;
}

/** Added to a replayed message: where it came from, so a second failure can be traced back. */
export const REPLAYED_FROM_HEADER = 'x-replayed-from';

const DEAD_LETTER_HEADER_NAMES = new Set<string>(Object.values(DeadLetterHeaders));

function toDeadLetter(message: KafkaMessage): DeadLetter {
  const headers = decodeHeaders(message.headers);
  return {
    offset: message.offset,
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    headers,
    eventId: headers['event-id'],
    eventType: headers['event-type'],
    errorType: headers[DeadLetterHeaders.errorType],
    errorName: headers[DeadLetterHeaders.errorName],
    errorMessage: headers[DeadLetterHeaders.errorMessage],
    originalTopic: headers[DeadLetterHeaders.originalTopic],
    originalPartition: headers[DeadLetterHeaders.originalPartition],
    originalOffset: headers[DeadLetterHeaders.originalOffset],
    consumerGroup: headers[DeadLetterHeaders.consumerGroup],
    attempts: headers[DeadLetterHeaders.attempts],
    failedAt: headers[DeadLetterHeaders.failedAt],
  };
}

/**
 * Reads a topic's dead letters as they are now (up to its end when called), oldest first, with a throwaway consumer
 * group that commits nothing and is deleted afterwards. `topic` is the full topic name (prefix included).
 */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  { fromOffset = 0n, limit = Number.POSITIVE_INFINITY }: { fromOffset?: bigint; limit?: number } = {},
): Promise<DeadLetter[]> {
  const dlq = topic.endsWith('.dlq') ? topic : deadLetterTopic(topic);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map((await admin.fetchTopicOffsets(dlq)).map((p) => [p.partition, BigInt(p.high)]));
    const pending = new Set([...ends].filter(([, high]) => high > fromOffset).map(([partition]) => partition));
    if (pending.size === 0) return [];
    const groupId = `dlq-reader-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    const letters: DeadLetter[] = [];
    await consumer.connect();
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${dlq} took more than 60 s`)), 60_000);
        consumer
          .subscribe({ topics: [dlq], fromBeginning: true })
          .then(() =>
            consumer.run({
              autoCommit: false,
              async eachMessage({ partition, message }) {
                const offset = BigInt(message.offset);
                if (offset >= fromOffset && letters.length < limit) letters.push(toDeadLetter(message));
                if (offset + 1n >= (ends.get(partition) ?? 0n) || letters.length >= limit) pending.delete(partition);
                if (pending.size === 0) {
                  clearTimeout(timer);
                  resolve();
                }
              },
            }),
          )
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return letters.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Republishes dead letters onto the topic they came from (their `x-original-topic`), key and value unchanged, with
 * their original headers (the dead-letter ones dropped) and `x-replayed-from: <dlq>@<offset>`. Consumers handle the
 * replay as a redelivery: an event they did process meanwhile is skipped. Returns the offsets replayed.
 */
export async function replayDeadLetters(
  producer: EventProducer,
  letters: DeadLetter[],
  dlqTopic: string,
): Promise<string[]> {
  const replayed: string[] = [];
  for (const letter of letters) {
    if (!letter.originalTopic) throw new Error(`dead letter at offset ${letter.offset} names no original topic`);
    const headers: IHeaders = {};
    for (const [name, value] of Object.entries(letter.headers)) {
      if (!DEAD_LETTER_HEADER_NAMES.has(name)) headers[name] = value;
    }
    headers[REPLAYED_FROM_HEADER] = `${dlqTopic}@${letter.offset}`;
    await producer.sendMessages(letter.originalTopic, [{ key: letter.key, value: letter.value, headers }]);
    replayed.push(letter.offset);
  }
  return replayed;
}
