import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  eventCatalogue,
  Topics,
  type EventType,
  type InventoryRejectedV1,
  type InventoryReservedV1,
} from '@platform/events';
import { createKafka, createProducer, loadConfig, type EventEnvelope, type EventProducer } from '@platform/kit';
import {
  createTestIssuer,
  migrateUp,
  recordTopics,
  serviceTestEnv,
  uniqueName,
  waitFor,
  type TestIssuer,
} from '@platform/test-kit';
import { buildApp } from '../../src/app';
import { configSchema, type InventoryConfig } from '../../src/config';

export const migrationsDir = path.join(__dirname, '..', '..', 'migrations');

export interface PublishedEvent {
  /** The event type (inventory.reserved or inventory.rejected). */
  type: string;
  event: EventEnvelope<InventoryReservedV1 | InventoryRejectedV1>;
}

/** A running inventory app on its own database and topic prefix, plus a Kafka client to talk to it. */
export interface InventoryHarness {
  app: FastifyInstance;
  config: Readonly<InventoryConfig>;
  issuer: TestIssuer;
  /** Publishes to the prefixed topic of the event's type, the way the owning service would. */
  publish(event: EventEnvelope, key: string): Promise<void>;
  /** inventory.* events the app published, as read back from its prefixed topics. */
  published: PublishedEvent[];
  /** Waits for the app's inventory.* event about this order. */
  outcomeFor(orderId: string): Promise<PublishedEvent>;
  close(): Promise<void>;
}

export async function startInventory(env: Record<string, string> = {}): Promise<InventoryHarness> {
  const issuer = await createTestIssuer();
  const config = loadConfig(configSchema, { ...serviceTestEnv('inventory', { issuer }), ...env });
  await migrateUp(migrationsDir, config.MONGO_URL);
  const app = await buildApp(config, { jwks: issuer.jwks });
  await app.ready();

  const kafka = createKafka({
    clientId: uniqueName('inventory-test'),
    brokers: config.KAFKA_BROKERS.split(','),
    logger: pino({ level: 'silent' }),
  });
  const producer: EventProducer = createProducer({ kafka, registry: new Registry() });
  await producer.connect();
  // Reads back what the app publishes on its reservations topic.
  const recorder = await recordTopics([`${config.KAFKA_TOPIC_PREFIX}${Topics.InventoryReservations}`]);
  const published = (): PublishedEvent[] =>
    recorder.events.map(({ envelope }) => ({
      type: envelope.type,
      event: envelope as unknown as PublishedEvent['event'],
    }));

  return {
    app,
    config,
    issuer,
    get published() {
      return published();
    },
    publish: (event, key) =>
      producer.publish(`${config.KAFKA_TOPIC_PREFIX}${eventCatalogue[event.type as EventType].topic}`, event, { key }),
    outcomeFor: (orderId) =>
      waitFor(() => published().find((m) => m.event.payload.orderId === orderId), {
        what: `the inventory outcome of order ${orderId}`,
        timeoutMs: 30_000,
      }),
    async close() {
      await recorder.stop();
      await producer.disconnect();
      await app.close();
    },
  };
}
