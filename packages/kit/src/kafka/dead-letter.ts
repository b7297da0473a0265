import type { KafkaMessage } from 'kafkajs';
import { DeadLetterHeaders } from './headers';
import type { EventProducer } from './producer';
import { deadLetterTopic } from './topics';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  message: KafkaMessage;
  groupId: string;
}

export interface DeadLetterFailure {
  /**
   * `invalid`: could not be parsed or validated. `rejected`: the handler called it poison (PoisonMessageError, a 4xx
   * AppError). Neither is retried. `handler-failed`: the handler kept failing for another reason and gave up.
   */
  type: 'invalid' | 'rejected' | 'handler-failed';
  error: Error;
  attempts: number;
}

/** Kafka headers have no small limit, but tools and log shippers choke on a multi-kilobyte header value. */
const MAX_ERROR_MESSAGE_LENGTH = 1_000;

/**
 * Copies the message to `<topic>.dlq` byte for byte, key and original headers included, so it can be replayed
 * onto its topic unchanged once the cause is fixed. Throws if the broker does not take it: the caller must then
 * not commit the original offset, or the message would be lost.
 */
export async function sendToDeadLetter(
  producer: EventProducer,
  { topic, partition, message, groupId }: DeadLetterSource,
  { type, error, attempts }: DeadLetterFailure,
): Promise<void> {
  await producer.sendMessages(deadLetterTopic(topic), [
    {
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        [DeadLetterHeaders.errorType]: type,
        [DeadLetterHeaders.errorName]: error.name,
        [DeadLetterHeaders.errorMessage]: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
        [DeadLetterHeaders.originalTopic]: topic,
        [DeadLetterHeaders.originalPartition]: String(partition),
        [DeadLetterHeaders.originalOffset]: message.offset,
        [DeadLetterHeaders.consumerGroup]: groupId,
        [DeadLetterHeaders.attempts]: String(attempts),
        [DeadLetterHeaders.failedAt]: new Date().toISOString(),
      },
    },
  ]);
}
