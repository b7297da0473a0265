import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { EventTypes, Topics } from '@platform/events';

/**
 * The consumer groups of each topic (services/*\/src/consumers, gateway/src/consumers): each group that reads a
 * topic dead-letters a poison message of it once. users.v1 has no consumer (see packages/events).
 */
export const groupsByTopic: Record<string, readonly string[]> = {
  [Topics.Users]: [],
  [Topics.Products]: ['inventory-service'],
  [Topics.Orders]: ['inventory-service', 'gateway'],
  [Topics.InventoryReservations]: ['order-service'],
};

/** A type each topic carries that its consumers handle, for a message that is well formed but breaks its schema. */
const handledType: Record<string, string> = {
  [Topics.Users]: EventTypes.UserRegistered,
  [Topics.Products]: EventTypes.ProductCreated,
  [Topics.Orders]: EventTypes.OrderCreated,
  [Topics.InventoryReservations]: EventTypes.InventoryReserved,
};

/** Four ways a message can never be handled: no value, not JSON, no envelope, a payload its schema refuses. */
export function poisonMessages(topic: string): Array<{ key: string; value: string | null }> {
  const key = randomUUID();
  const envelope = { id: randomUUID(), version: 1, occurredAt: new Date().toISOString() };
  return [
    { key, value: null },
    { key, value: '{"id": "not json' },
    { key, value: JSON.stringify({ hello: 'world' }) },
    { key, value: JSON.stringify({ ...envelope, type: handledType[topic], payload: { orderId: 42, $where: '1' } }) },
  ];
}

/** The last `perTopic` messages of a topic, as they are (key, value, headers). */
export async function lastMessages(kafka: Kafka, topic: string, perTopic: number): Promise<KafkaMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const wanted = offsets.filter((p) => Number(p.high) > 0);
  if (wanted.length === 0) return [];
  const consumer = kafka.consumer({ groupId: `chaos-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const messages: KafkaMessage[] = [];
  const ends = new Map(wanted.map((p) => [p.partition, Number(p.high)]));
  const done = new Set<number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const end = ends.get(partition) ?? 0;
        if (Number(message.offset) >= end - perTopic) messages.push(message);
        if (Number(message.offset) >= end - 1) done.add(partition);
      },
    });
    const deadline = Date.now() + 30_000;
    while (done.size < ends.size && Date.now() < deadline) await sleep(200);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/**
 * A copy of an event with a new event id: what a producer that published twice (before and after a crash, with
 * ids of its own) would send. Deduplication by id cannot catch it; the handlers' own idempotency must.
 */
export function withNewEventId(message: KafkaMessage): string | undefined {
  if (!message.value) return undefined;
  try {
    const event = JSON.parse(message.value.toString()) as { id?: string };
    return JSON.stringify({ ...event, id: randomUUID() });
  } catch {
    return undefined;
  }
}
