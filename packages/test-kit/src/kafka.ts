import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import { requireEnv, uniqueName } from './names';

/** An event envelope as it travels; the payload is left loose (tests check it against the contract themselves). */
export interface RecordedEnvelope<TPayload = Record<string, unknown>> {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  payload: TPayload;
}

export interface RecordedEvent<TPayload = Record<string, unknown>> {
  topic: string;
  partition: number;
  key: string | null;
  envelope: RecordedEnvelope<TPayload>;
}

export interface TopicRecorder {
  /** Every message of the topics since their beginning, in arrival order; grows while the recorder runs. */
  events: RecordedEvent[];
  stop(): Promise<void>;
}

export interface RecordTopicsOptions {
  /** Default: KAFKA_BROKERS. */
  brokers?: string;
  /** kafkajs client retry, e.g. the kit's CLUSTER_RETRY for a recorder that must outlive a broker restart. */
  retry?: KafkaConfig['retry'];
}

/**
 * Reads full topic names (with the test's prefix) from the beginning, as any downstream consumer would, in a
 * group of its own, and keeps every event: what a test checks to see what a service published.
 */
export async function recordTopics(topics: string[], options: RecordTopicsOptions = {}): Promise<TopicRecorder> {
  const kafka = new Kafka({
    clientId: uniqueName('test-recorder'),
    brokers: (options.brokers ?? requireEnv('KAFKA_BROKERS')).split(','),
    logLevel: logLevel.NOTHING,
    ...(options.retry && { retry: options.retry }),
  });
  const consumer = kafka.consumer({
    groupId: uniqueName('test-recorder'),
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
        envelope: JSON.parse(message.value?.toString() ?? 'null') as RecordedEnvelope,
      });
    },
  });
  return { events, stop: () => consumer.disconnect() };
}

/** A group's committed offset on one partition of a topic ("-1" while nothing is committed), as a string. */
export async function committedOffset(
  admin: Admin,
  groupId: string,
  topic: string,
  partition = 0,
): Promise<string | undefined> {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return result?.partitions.find((entry) => entry.partition === partition)?.offset;
}
