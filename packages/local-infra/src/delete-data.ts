import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import type { InfraEnv } from './index';
import { InfraError } from './process';
import { databaseName, serviceNames, topicPrefix } from './services';

export interface DataSelection {
  topics: (name: string) => boolean;
  /**
   * The databases' names, or a test of their names. A test lists every database first, which the local database
   * answers slowly once it holds hundreds (minutes for four hundred).
   */
  databases: readonly string[] | ((name: string) => boolean);
}

export interface DeletedData {
  topics: number;
  databases: number;
}

/**
 * Deletes the Kafka topics and drops the databases of `selection` on the broker and the database server of `infra`:
 * how the test runs' prune (test-kit) and throw-away platforms (platform.ts) leave nothing behind.
 */
export async function deleteData(
  infra: Pick<InfraEnv, 'KAFKA_BROKERS' | 'MONGO_URL'>,
  selection: DataSelection,
): Promise<DeletedData> {
  const admin = new Kafka({
    clientId: 'local-infra-delete',
    brokers: infra.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  const client = new MongoClient(infra.MONGO_URL);
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter(selection.topics);
    // A few hundred per request: one request for thousands of topics exceeds the broker's request timeout.
    for (let i = 0; i < topics.length; i += 200) {
      const batch = topics.slice(i, i + 200);
      await admin.deleteTopics({ topics: batch, timeout: 30_000 }).catch(async (err: unknown) => {
        if (!isUnknownTopic(err)) throw err;
        // The listing lags deletions (the broker deletes in the background): one of these was already going.
        for (const topic of batch) {
          await admin.deleteTopics({ topics: [topic], timeout: 30_000 }).catch((one: unknown) => {
            if (!isUnknownTopic(one)) throw one;
          });
        }
      });
    }
    await client.connect();
    const { databases: selected } = selection;
    const databases =
      typeof selected === 'function'
        ? (await client.db('admin').admin().listDatabases({ nameOnly: true })).databases
            .map((d) => d.name)
            .filter(selected)
        : selected;
    // The local database's drop takes every database whose name starts with this one's (mongo-java-server's H2
    // backend matches its storage by prefix): `order` would take every `order_*` test database.
    for (const name of databases) await client.db(name).dropDatabase();
    return { topics: topics.length, databases: databases.length };
  } finally {
    await admin.disconnect().catch(() => undefined);
    await client.close().catch(() => undefined);
  }
}

/** kafkajs' refusal to delete a topic the broker no longer has (wrapped in a non-retriable error). */
function isUnknownTopic(err: unknown): boolean {
  const { type, cause } = err as { type?: string; cause?: { type?: string } };
  return (cause?.type ?? type) === 'UNKNOWN_TOPIC_OR_PARTITION';
}

/**
 * The data of a platform in a non-empty `namespace` (services.ts): its services' databases and every topic under
 * its prefix (events, retries, dead letters). Never another namespace's: `k6_a` does not take `k6_ab.order.events`.
 */
export function namespaceData(namespace: string): DataSelection {
  if (!namespace) throw new InfraError("an empty namespace is `npm run up`'s own data: it is never deleted");
  const prefix = topicPrefix(namespace);
  return {
    topics: (name) => name.startsWith(prefix),
    databases: serviceNames.map((service) => databaseName(namespace, service)),
  };
}
