import type Joi from 'joi';
import type { Admin, Consumer, ConsumerConfig, IHeaders, Kafka } from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import pino, { type Logger } from 'pino';
import { isolatedMongoUrl, requireEnv, uniqueName } from '@platform/test-kit';
import { createKafka, createProcessedEventStore, type MongoProcessedEventStore } from '@platform/kit';

/** A catalogue of one event type, version 1, on one topic: what most tests of the consumer need. */
export function oneTypeCatalogue<T>(topic: string, type: string, schema: Joi.ObjectSchema<T>) {
  return { [type]: { topic, version: 1, schemas: { 1: schema } } } as const;
}

/** Short timeouts so joins, rebalances and leaving the group take a second or two, not half a minute. */
export const fastConsumerConfig: Omit<ConsumerConfig, 'groupId'> = {
  sessionTimeout: 6_000, // the broker's group.min.session.timeout.ms
  heartbeatInterval: 500,
  rebalanceTimeout: 3_000,
  maxWaitTimeInMs: 100,
};

export interface KafkaFixture {
  kafka: Kafka;
  admin: Admin;
  connection: Connection;
  processedEvents: MongoProcessedEventStore;
  logger: Logger;
  close(): Promise<void>;
}

/** Real Kafka and database; TEST_LOG_LEVEL=debug shows what kafkajs and the consumer are doing. */
export async function setUpKafkaFixture(prefix: string): Promise<KafkaFixture> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const kafka = createKafka({ clientId: uniqueName(prefix), brokers: requireEnv('KAFKA_BROKERS').split(','), logger });
  const admin = kafka.admin();
  await admin.connect();
  const connection = await mongoose.createConnection(isolatedMongoUrl(prefix)).asPromise();
  const processedEvents = createProcessedEventStore(connection);
  return {
    kafka,
    admin,
    connection,
    processedEvents,
    logger,
    async close() {
      await admin.disconnect();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

export interface ReceivedMessage {
  topic: string;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** A plain kafkajs consumer that records everything on the topics, e.g. to inspect dead-letter topics. */
export async function startRecorder(
  kafka: Kafka,
  topics: string[],
): Promise<{ messages: ReceivedMessage[]; consumer: Consumer }> {
  const messages: ReceivedMessage[] = [];
  const consumer = kafka.consumer({ ...fastConsumerConfig, groupId: uniqueName('recorder') });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async function recordMessage({ topic, message }) {
      messages.push({
        topic,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers: stringHeaders(message.headers),
      });
    },
  });
  return { messages, consumer };
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

export { metricValue } from '@platform/test-kit';
