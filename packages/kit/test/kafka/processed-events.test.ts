import Joi from 'joi';
import type { FastifyInstance } from 'fastify';
import { isolatedMongoUrl, requireEnv, uniqueName, waitFor } from '@platform/test-kit';
import { createApp, kafka, PROCESSED_EVENTS_COLLECTION } from '@platform/kit';
import { mongo } from '@platform/kit/mongoose';
import { oneTypeCatalogue } from './kafka-fixture';

const config = { SERVICE_NAME: 'marks-test', LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: 1024 } as const;

describe('processed-event marks', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await createApp({ config });
    await app.register(mongo, { url: isolatedMongoUrl('marks') });
    const topic = uniqueName('marks');
    await app.register(kafka, {
      clientId: 'marks-test',
      brokers: requireEnv('KAFKA_BROKERS').split(','),
      topics: [{ topic, numPartitions: 1 }],
      processedEventRetentionMs: 60_000,
      pruneIntervalMs: 200,
    });
    app.kafka.addConsumer({
      groupId: uniqueName('marks'),
      catalogue: oneTypeCatalogue(topic, 'thing.happened', Joi.object()),
      handlers: { 'thing.happened': async () => undefined },
    });
  });

  afterAll(async () => {
    await app?.mongo.dropDatabase();
    await app?.close();
  });

  it('when marks are older than the retention, then the periodic prune deletes them and keeps the recent ones', async () => {
    const marks = app.mongo.collection(PROCESSED_EVENTS_COLLECTION);
    const mark = (id: string, ageMs: number) => ({
      _id: id as never,
      groupId: 'g',
      eventId: id,
      topic: 't',
      processedAt: new Date(Date.now() - ageMs),
    });
    await marks.insertMany([mark('old-1', 120_000), mark('old-2', 3_600_000), mark('recent', 1_000)]);

    await app.ready();

    await waitFor(async () => (await marks.countDocuments({})) === 1, { what: 'the old marks to be pruned' });
    expect(await marks.findOne({})).toMatchObject({ _id: 'recent' });
    expect(await app.metrics.getSingleMetricAsString('periodic_task_runs_total')).toMatch(
      /periodic_task_runs_total\{task="processed-events-prune",outcome="ok",service="marks-test"\} [1-9]/,
    );
  });
});
