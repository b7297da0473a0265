import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Joi from 'joi';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createKafka as createBroker, type Component, type KafkaOptions } from '@platform/local-infra';
import { freePort, uniqueName, waitFor } from '@platform/test-kit';
import {
  createConsumer,
  createEvent,
  createKafka,
  createProducer,
  ensureTopics,
  type EventConsumer,
  type EventProducer,
} from '@platform/kit';
import { fastConsumerConfig, oneTypeCatalogue } from './kafka-fixture';

/**
 * kafkajs gives up for good when it cannot find the group's coordinator (KafkaJSGroupCoordinatorNotFound, not
 * retriable), which a broker that has just started or returned answers for a while. A broker that cannot create
 * its offsets topic (replication factor 3, one broker) answers so for as long as it runs: the failure on cue. The
 * same broker restarted with its usual settings (same data and ports) then finds the coordinator.
 */
describe('a consumer whose group coordinator cannot be found', () => {
  const topic = uniqueName('kit-coordinator');
  let broker: Component | undefined;
  let producer: EventProducer | undefined;
  let consumer: EventConsumer | undefined;

  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await broker?.stop();
  });

  it('when kafkajs gives up on it, then the kit starts it over (alive meanwhile), and it consumes once the coordinator is found', async () => {
    const settings: KafkaOptions = {
      useEnv: false,
      port: await freePort(),
      controllerPort: await freePort(),
      runDir: mkdtempSync(path.join(os.tmpdir(), 'private-kafka-')),
      heap: '384m',
    };
    broker = createBroker({ ...settings, properties: ['offsets.topic.replication.factor=3'] });
    await broker.start();

    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const kafka = createKafka({ clientId: uniqueName('kit-coordinator'), brokers: [broker.url], logger });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
    producer = createProducer({ kafka, registry: new Registry() });
    const event = createEvent('thing.happened', {});
    await producer.publish(topic, event, { key: 'k' });

    const handled: string[] = [];
    consumer = createConsumer({
      kafka,
      groupId: uniqueName('kit-coordinator'),
      catalogue: oneTypeCatalogue(topic, 'thing.happened', Joi.object()),
      handlers: { 'thing.happened': async (e) => void handled.push(e.id) },
      processedEvents: null,
      registry: new Registry(),
      logger,
      consumerConfig: fastConsumerConfig,
    });
    await consumer.start();
    const gaveUp = () => lines.filter((line) => line.includes('kafkajs gave up; starting it over')).length;
    await waitFor(() => gaveUp() >= 2, { what: 'kafkajs to give up on the consumer twice', timeoutMs: 60_000 });
    expect(consumer.isAlive()).toBe(true);
    expect(handled).toEqual([]);

    await broker.stop();
    broker = createBroker(settings);
    await broker.start();

    await waitFor(() => handled.length > 0, { what: 'the event to be handled', timeoutMs: 90_000 });
    expect(handled).toEqual([event.id]);
    expect(consumer.isAlive()).toBe(true);
    expect(consumer.isRunning()).toBe(true);
  }, 300_000);
});
