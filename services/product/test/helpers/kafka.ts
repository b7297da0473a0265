import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { requireEnv, uniqueName } from '@platform/test-kit';

export interface RecordedEvent {
  topic: string;
  partition: number;
  key: string | null;
  envelope: { id: string; type: string; version: number; occurredAt: string; payload: Record<string, unknown> };
}

/** A plain kafkajs consumer that records everything published on the (prefixed) topics, from the beginning. */
export async function recordTopics(topics: string[]): Promise<{ events: RecordedEvent[]; stop(): Promise<void> }> {
  const kafka = new Kafka({
    clientId: uniqueName('product-test-reader'),
    brokers: requireEnv('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: uniqueName('product-test-reader'),
    // Short timeouts: joining and leaving the group takes a second or two instead of half a minute.
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    rebalanceTimeout: 3_000,
    maxWaitTimeInMs: 100,
  });
  const events: RecordedEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async function recordMessage({ topic, partition, message }) {
      events.push({
        topic,
        partition,
        key: message.key?.toString() ?? null,
        envelope: JSON.parse(message.value!.toString()) as RecordedEvent['envelope'],
      });
    },
  });
  return { events, stop: () => consumer.disconnect() };
}
