import type { KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';
import { requireEnv, uniqueName, waitFor } from '@platform/test-kit';
import { createEvent, createProducer, deadLetterTopic, ensureTopics, type EventProducer } from '@platform/kit';
import { dlqCommand } from '../../src/cli/dlq';
import { sendToDeadLetter } from '../../src/kafka/dead-letter';
import { setUpKafkaFixture, startRecorder, type KafkaFixture } from './kafka-fixture';

/** The dead-letter tool, on the real broker: what an operator runs after fixing the cause of a failure. */
describe('npm run dlq', () => {
  const prefix = `${uniqueName('dlq')}.`;
  const logical = 'stock.changed';
  const topic = `${prefix}${logical}`;
  let fixture: KafkaFixture;
  let producer: EventProducer;
  const env = () => ({ KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'), KAFKA_TOPIC_PREFIX: prefix });

  async function run(...argv: string[]): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const code = await dlqCommand(argv, { env: env(), out: (line) => lines.push(line) });
    return { code, lines };
  }

  /** What a consumer does when it gives up on a message. */
  async function deadLetter(offset: string, eventType: string, errorMessage: string) {
    const event = createEvent(eventType, { sku: 'H-1' });
    const message: KafkaMessage = {
      key: Buffer.from('H-1'),
      value: Buffer.from(JSON.stringify(event)),
      headers: { 'event-id': event.id, 'event-type': eventType, 'x-correlation-id': 'corr-7' },
      offset,
      timestamp: String(Date.now()),
      attributes: 0,
    } as KafkaMessage;
    await sendToDeadLetter(
      producer,
      { topic, partition: 0, message, groupId: 'inventory-service' },
      { type: 'handler-failed', error: new Error(errorMessage), attempts: 5 },
    );
    return event;
  }

  beforeAll(async () => {
    fixture = await setUpKafkaFixture('dlq-cli');
    await ensureTopics(fixture.admin, [{ topic, numPartitions: 1 }]);
    producer = createProducer({ kafka: fixture.kafka, registry: new Registry() });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await fixture?.close();
  });

  it('when dead letters exist, then list prints one line each with what the consumer recorded; replay of one offset puts exactly that message back on its topic', async () => {
    const first = await deadLetter('7', 'stock.changed', 'database said no');
    const second = await deadLetter('8', 'stock.changed', 'still no');

    const listed = await run('list', logical);

    expect(listed.code).toBe(0);
    expect(listed.lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        offset: '0',
        key: 'H-1',
        eventId: first.id,
        eventType: 'stock.changed',
        errorType: 'handler-failed',
        errorMessage: 'database said no',
        originalTopic: topic,
        originalOffset: '7',
        consumerGroup: 'inventory-service',
        attempts: '5',
      }),
      expect.objectContaining({ offset: '1', eventId: second.id, errorMessage: 'still no' }),
    ]);

    const recorder = await startRecorder(fixture.kafka, [topic]);
    try {
      const replayed = await run('replay', `${logical}.dlq`, '--offset', '1');

      expect(replayed.code).toBe(0);
      expect(JSON.parse(replayed.lines.at(-1)!)).toEqual({ replayed: 1, offsets: ['1'], from: deadLetterTopic(topic) });
      const [message] = await waitFor(() => recorder.messages.length > 0 && recorder.messages, {
        what: 'the replayed message on the original topic',
      });
      expect(message).toMatchObject({ key: 'H-1', value: JSON.stringify(second) });
      expect(message?.headers).toMatchObject({
        'event-id': second.id,
        'x-correlation-id': 'corr-7',
        'x-replayed-from': `${deadLetterTopic(topic)}@1`,
      });
      expect(Object.keys(message!.headers).filter((name) => name.startsWith('x-error'))).toEqual([]);
      expect(recorder.messages).toHaveLength(1);
    } finally {
      await recorder.consumer.disconnect();
    }
  });

  it('when asked badly, then it prints the usage and exits 2', async () => {
    expect((await run('replay', logical)).code).toBe(2);
    expect((await run('purge', logical)).code).toBe(2);
  });
});
