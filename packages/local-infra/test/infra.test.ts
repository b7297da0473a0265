import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { infraStatus } from '@platform/local-infra';
import { isolatedMongoUrl, requireEnv, uniqueName, waitFor } from '@platform/test-kit';

describe('local infrastructure', () => {
  it('when the test run starts, then Kafka, the MongoDB-protocol database and Redis all answer', async () => {
    const status = await infraStatus();
    expect(status.map((s) => [s.name, s.up])).toEqual([
      ['kafka', true],
      ['mongodb', true],
      ['redis', true],
    ]);
  });

  it('when a kafkajs client produces a message, then a consumer receives it', async () => {
    const kafka = new Kafka({
      clientId: 'infra-test',
      brokers: requireEnv('KAFKA_BROKERS').split(','),
      logLevel: logLevel.NOTHING,
    });
    const topic = uniqueName('infra');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('infra-group') });
    const received: string[] = [];
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value!.toString()) });
      await producer.send({ topic, messages: [{ key: 'k', value: 'hello kafka' }] });
      await waitFor(() => received.length > 0, { what: 'the message' });
      expect(received).toEqual(['hello kafka']);
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  });

  it('when mongoose saves a document, then it reads the same document back', async () => {
    const connection = await mongoose.createConnection(isolatedMongoUrl('infra')).asPromise();
    try {
      const Thing = connection.model('Thing', new mongoose.Schema({ name: String, tags: [String] }));
      const saved = await Thing.create({ name: 'widget', tags: ['a', 'b'] });
      const found = await Thing.findById(saved._id).lean();
      expect(found).toMatchObject({ name: 'widget', tags: ['a', 'b'] });
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });

  it('when ioredis SETs a key, then GET returns its value', async () => {
    const redis = new Redis(requireEnv('REDIS_URL'));
    try {
      const key = uniqueName('infra');
      await redis.set(key, 'value', 'EX', 60);
      expect(await redis.get(key)).toBe('value');
    } finally {
      redis.disconnect();
    }
  });
});
