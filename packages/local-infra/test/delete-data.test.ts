import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { requireEnv, uniqueName, waitFor } from '@platform/test-kit';
import { deleteData, namespaceData } from '../src/delete-data';

describe('deleting the data of a namespace (what a throw-away platform does when it stops)', () => {
  const infra = { KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'), MONGO_URL: requireEnv('MONGO_URL') };
  const admin = new Kafka({ brokers: infra.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  const client = new MongoClient(infra.MONGO_URL);
  const namespace = uniqueName('discard').replace(/-/g, '_');
  // Its name starts with the other's, as `k6_ab`'s does with `k6_a`'s.
  const neighbour = `${namespace}x`;

  beforeAll(async () => {
    await Promise.all([admin.connect(), client.connect()]);
  });

  afterAll(async () => {
    try {
      // Both: looking into a dropped database creates it again, empty.
      for (const name of [namespace, neighbour]) await deleteData(infra, namespaceData(name));
    } finally {
      await Promise.all([admin.disconnect(), client.close()]);
    }
  });

  async function collections(database: string): Promise<string[]> {
    return (await client.db(database).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  }

  it("when a namespace's data is deleted, then its databases and topics are gone and another namespace's stay", async () => {
    const topics = [`${namespace}.order.events`, `${namespace}.order.events.dlq`, `${neighbour}.order.events`];
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })) });
    for (const database of [`${namespace}_user`, `${namespace}_order`, `${neighbour}_order`]) {
      await client.db(database).collection('things').insertOne({ database });
    }

    const deleted = await deleteData(infra, namespaceData(namespace));

    expect(deleted).toEqual({ topics: 2, databases: 4 });
    // The broker deletes topics in the background: the listing shows them gone a moment later.
    const left = await waitFor(
      async () => {
        const listed = await admin.listTopics();
        const kept = topics.filter((topic) => listed.includes(topic));
        return kept.length === 1 && kept;
      },
      { what: "the namespace's topics to be gone" },
    );
    expect(left).toEqual([`${neighbour}.order.events`]);
    expect(await collections(`${namespace}_user`)).toEqual([]);
    expect(await collections(`${namespace}_order`)).toEqual([]);
    expect(await collections(`${neighbour}_order`)).toEqual(['things']);
  });

  it("when the namespace is empty, then nothing is deleted: that is `npm run up`'s data", () => {
    expect(() => namespaceData('')).toThrow(/npm run up/);
  });
});
