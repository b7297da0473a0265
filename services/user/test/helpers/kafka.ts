import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { requireEnv, uniqueName } from '@platform/test-kit';

export interface RecordedMessage {
  key: string | null;
  value: Record<string, unknown>;
}

/** Reads a (prefixed) topic from the beginning into an array, like any downstream consumer would. */
export async function recordTopic(topic: string): Promise<{ messages: RecordedMessage[]; stop(): Promise<void> }> {
  const kafka = new Kafka({
    clientId: uniqueName('user-test-reader'),
    brokers: requireEnv('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: uniqueName('user-test-reader'),
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    rebalanceTimeout: 3_000,
    maxWaitTimeInMs: 100,
  });
  const messages: RecordedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async function recordMessage({ message }) {
      messages.push({
        key: message.key?.toString() ?? null,
        value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>,
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}
