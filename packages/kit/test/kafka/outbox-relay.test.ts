import type { Collection, Document } from 'mongodb';
import { Registry } from 'prom-client';
import { uniqueName, waitFor } from '@platform/test-kit';
import {
  createEvent,
  createOutboxRelay,
  createProducer,
  ensureTopics,
  findParked,
  outboxEntry,
  requeueParked,
  type EventProducer,
  type OutboxEntry,
  type OutboxRelay,
  type OutboxRelayOptions,
} from '@platform/kit';
import {
  metricValue,
  setUpKafkaFixture,
  startRecorder,
  type KafkaFixture,
  type ReceivedMessage,
} from './kafka-fixture';

/** A broker limit small enough that one test entry exceeds it: the broker refuses it, every time. */
const MAX_MESSAGE_BYTES = 4_096;

const topic = uniqueName('kit-outbox');
const smallTopic = uniqueName('kit-outbox-small');

let fixture: KafkaFixture;
let producer: EventProducer;
let recorded: ReceivedMessage[];
let stopRecorder: () => Promise<void>;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  fixture = await setUpKafkaFixture('kit-outbox');
  await ensureTopics(fixture.admin, [
    { topic, numPartitions: 3 },
    {
      topic: smallTopic,
      numPartitions: 1,
      configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }],
    },
  ]);
  producer = createProducer({ kafka: fixture.kafka, registry: new Registry(), logger: fixture.logger });
  await producer.connect();
  const recorder = await startRecorder(fixture.kafka, [topic, smallTopic]);
  recorded = recorder.messages;
  stopRecorder = () => recorder.consumer.disconnect();
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
});

afterAll(async () => {
  await stopRecorder?.();
  await producer?.disconnect();
  await fixture?.close();
});

function relayOn(collection: Collection<Document>, options: Partial<OutboxRelayOptions> = {}) {
  const registry = new Registry();
  const relay = createOutboxRelay({ collection, producer, logger: fixture.logger, registry, ...options });
  relays.push(relay);
  return { relay, registry };
}

function entry(aggregateId: string, payload: Record<string, unknown> = {}, onTopic = topic): OutboxEntry {
  return outboxEntry(onTopic, aggregateId, createEvent('thing.happened', { aggregateId, ...payload }));
}

const ids = (on = topic) =>
  recorded.filter((m) => m.topic === on).map((m) => (JSON.parse(m.value!) as { id: string }).id);
const count = (eventId: string) =>
  ids().filter((id) => id === eventId).length + ids(smallTopic).filter((id) => id === eventId).length;

/** What a writer whose process died before publishing leaves: entries pending, lease run out. */
function orphan(id: string, outbox: OutboxEntry[], dueAt = new Date(Date.now() - 1_000)) {
  return { _id: id as never, outbox, outboxPending: true as const, outboxDueAt: dueAt, outboxLease: 'dead-writer' };
}

describe('outbox relay', () => {
  it('when a write stores entries and hands them over, then they are published at once, in order, and the document leaves the outbox', async () => {
    const things = fixture.connection.collection(uniqueName('things'));
    const { relay } = relayOn(things, { sweepIntervalMs: 600_000 });
    relay.start();
    const first = entry('a-1');
    const second = entry('a-1');

    const stamp = relay.stamp();
    await things.insertOne({ _id: 'a-1' as never, state: 'new', outbox: [first, second], ...stamp.fields });
    relay.publishAfterWrite('a-1', stamp);

    await waitFor(() => count(second.event.id) === 1, { what: 'both events, with no sweep in between' });
    expect(ids().filter((id) => id === first.event.id || id === second.event.id)).toEqual([
      first.event.id,
      second.event.id,
    ]);
    expect(recorded.find((m) => m.value!.includes(first.event.id))?.key).toBe('a-1');
    await waitFor(async () => (await things.findOne({ _id: 'a-1' as never }))?.outbox.length === 0, {
      what: 'the outbox to empty',
    });
    const doc = await things.findOne({ _id: 'a-1' as never });
    for (const field of ['outboxPending', 'outboxDueAt', 'outboxLease', 'outboxAttempts'])
      expect(doc).not.toHaveProperty(field);
  });

  it('when a writer died before publishing, then the sweep publishes its entries once its lease has run out', async () => {
    const things = fixture.connection.collection(uniqueName('things'));
    const { relay } = relayOn(things);
    const late = entry('b-1');
    const leased = entry('b-2');
    await things.insertMany([orphan('b-1', [late]), orphan('b-2', [leased], new Date(Date.now() + 60_000))]);

    expect(await relay.sweep()).toBe(1);

    await waitFor(() => count(late.event.id) === 1, { what: 'the orphaned event' });
    expect(count(leased.event.id)).toBe(0);
    expect(await things.findOne({ _id: 'b-2' as never })).toMatchObject({
      outboxPending: true,
      outboxLease: 'dead-writer',
    });
  });

  it('when several documents are due, then the sweep claims them in next-attempt order', async () => {
    const things = fixture.connection.collection(uniqueName('things'));
    const { relay } = relayOn(things, { concurrency: 1 });
    const now = Date.now();
    const entries = { c1: entry('c-1'), c2: entry('c-2'), c3: entry('c-3') };
    await things.insertMany([
      orphan('c-1', [entries.c1], new Date(now - 1_000)),
      orphan('c-2', [entries.c2], new Date(now - 3_000)),
      orphan('c-3', [entries.c3], new Date(now - 2_000)),
    ]);

    await relay.sweep();

    await waitFor(() => count(entries.c1.event.id) === 1, { what: 'the three events' });
    const order = ids().filter((id) => Object.values(entries).some((e) => e.event.id === id));
    expect(order).toEqual([entries.c2.event.id, entries.c3.event.id, entries.c1.event.id]);
  });

  it('when the broker keeps refusing an entry, then it is parked and counted, and the entries behind it and in other documents still go out', async () => {
    const things = fixture.connection.collection(uniqueName('things'));
    const { relay, registry } = relayOn(things, {
      maxAttempts: 3,
      backoff: { initialMs: 50, maxMs: 200 },
      sweepIntervalMs: 100,
    });
    relay.start();
    const poison = entry('p-1', { padding: 'x'.repeat(MAX_MESSAGE_BYTES * 2) }, smallTopic);
    const behind = entry('p-1', {}, smallTopic);
    const other = entry('p-2', {}, smallTopic);

    const stamp = relay.stamp();
    await things.insertOne({ _id: 'p-1' as never, outbox: [poison, behind], ...stamp.fields });
    relay.publishAfterWrite('p-1', stamp);
    const otherStamp = relay.stamp();
    await things.insertOne({ _id: 'p-2' as never, outbox: [other], ...otherStamp.fields });
    relay.publishAfterWrite('p-2', otherStamp);

    await waitFor(() => count(other.event.id) === 1, { what: 'the other document, while the poison one fails' });
    await waitFor(() => count(behind.event.id) === 1, { what: 'the entry behind the parked one', timeoutMs: 30_000 });
    const doc = await things.findOne({ _id: 'p-1' as never });
    expect(doc?.outbox).toEqual([]);
    expect(doc?.outboxParked).toHaveLength(1);
    expect(doc?.outboxParked[0]).toMatchObject({ topic: smallTopic, event: { id: poison.event.id }, attempts: 3 });
    expect(doc?.outboxParked[0].error).toMatch(/larger than the max message size/);
    expect(doc).not.toHaveProperty('outboxPending');
    expect(count(poison.event.id)).toBe(0);
    expect(await metricValue(registry, 'outbox_parked_total', { collection: things.collectionName })).toBe(1);
    expect(await metricValue(registry, 'outbox_publish_failures_total', { reason: 'rejected' })).toBe(3);

    await relay.stop();
    expect(await findParked(things)).toEqual([{ id: 'p-1', parked: [expect.objectContaining({ attempts: 3 })] }]);
    expect(await requeueParked(things, 'p-1')).toBe(1);
    const requeued = await things.findOne({ _id: 'p-1' as never });
    expect(requeued?.outbox).toEqual([expect.objectContaining({ event: poison.event })]);
    expect(requeued).toMatchObject({ outboxPending: true });
    expect(requeued).not.toHaveProperty('outboxParked');
  });

  it('when two relays share one collection, then each event is published once', async () => {
    const things = fixture.connection.collection(uniqueName('things'));
    const a = relayOn(things, { sweepIntervalMs: 50 }).relay;
    const b = relayOn(things, { sweepIntervalMs: 50 }).relay;
    a.start();
    b.start();
    // Half left for the sweeps (orphans), half written and handed over by one relay while both sweep.
    const orphans = Array.from({ length: 20 }, (_, i) => orphan(`d-${i}`, [entry(`d-${i}`), entry(`d-${i}`)]));
    await things.insertMany(orphans);
    const written = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const relay = i % 2 === 0 ? a : b;
        const stamp = relay.stamp();
        const outbox = [entry(`w-${i}`)];
        await things.insertOne({ _id: `w-${i}` as never, outbox, ...stamp.fields });
        relay.publishAfterWrite(`w-${i}`, stamp, { outbox });
        return outbox;
      }),
    );
    const expected = [...orphans.flatMap((o) => o.outbox), ...written.flat()].map((e) => e.event.id);

    await waitFor(() => expected.every((id) => count(id) >= 1), { what: 'every event', timeoutMs: 30_000 });
    await waitFor(async () => (await things.countDocuments({ outboxPending: true })) === 0, {
      what: 'an empty outbox',
    });
    expect(expected.map(count).filter((n) => n !== 1)).toEqual([]);
  });
});
