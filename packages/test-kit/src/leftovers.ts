import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';

/**
 * Every test names its databases and topics with `uniqueName` (names.ts): `<prefix>-<time in base 36>-<6 hex>`,
 * dashes turned to underscores in database names. Nothing deletes them when a test ends (a failed test's data is
 * worth a look), so a long-lived checkout's broker and database keep growing: thousands of partitions make the
 * broker take over a minute to start. The global setup calls this to delete what earlier runs left behind.
 */
const stamped = /(?:^|[-_.])([0-9a-z]{8})[-_][0-9a-f]{6}(?:[-_.]|$)/;

/** True when `name` carries a uniqueName stamp older than `olderThanMs` (a test run cannot last that long). */
export function isStaleTestName(name: string, now: number, olderThanMs: number): boolean {
  const match = stamped.exec(name);
  if (!match) return false;
  const time = parseInt(match[1]!, 36);
  // A plausible stamp only: from 2024 on, and not from the future.
  return time > Date.UTC(2024, 0, 1) && time <= now - olderThanMs;
}

export interface PruneResult {
  topics: number;
  databases: number;
}

/** Deletes the topics and databases that earlier test runs left, keeping anything newer than `olderThanMs`. */
export async function pruneTestLeftovers(
  env: { kafkaBrokers: string[]; mongoUrl: string },
  olderThanMs = 6 * 60 * 60 * 1000,
): Promise<PruneResult> {
  const now = Date.now();
  const admin = new Kafka({
    clientId: 'test-kit-prune',
    brokers: env.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  const client = new MongoClient(env.mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => isStaleTestName(t, now, olderThanMs));
    // A few hundred per request: one request for thousands of topics exceeds the broker's request timeout.
    for (let i = 0; i < topics.length; i += 200) {
      await admin.deleteTopics({ topics: topics.slice(i, i + 200), timeout: 30_000 });
    }
    await client.connect();
    const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
    const stale = databases.map((d) => d.name).filter((d) => isStaleTestName(d, now, olderThanMs));
    for (const name of stale) await client.db(name).dropDatabase();
    return { topics: topics.length, databases: stale.length };
  } finally {
    await admin.disconnect().catch(() => undefined);
    await client.close().catch(() => undefined);
  }
}
