import { deleteData, type DeletedData } from '../../local-infra/src/delete-data';
import type { InfraEnv } from '../../local-infra/src/index';
import { serviceNames } from '../../local-infra/src/services';

/**
 * Every test names its databases and topics with `uniqueName` (names.ts): `<prefix>-<time in base 36>-<6 hex>`,
 * dashes turned to underscores in database names. Nothing deletes them when a test ends (a failed test's data is
 * worth a look), so a long-lived checkout's broker and database keep growing: thousands of partitions make the
 * broker take over a minute to start. The global setup calls this to delete what earlier runs left behind.
 */
const stamped = /(?:^|[-_.])([0-9a-z]{8})[-_][0-9a-f]{6}(?:[-_.]|$)/;

/**
 * A benchmark's or a k6 run's namespace (bench/*.ts): `bench_<name>_<time in base 36>` or `k6_<time in base 36>`,
 * then `_<service>` in a database's name or `.<topic>` in a topic's: bench_gateway_mx3ug860_inventory,
 * k6_mx41ldgw.order.events. Their platforms delete their data when they stop; this takes what an interrupted run left.
 */
const benchNamespace = new RegExp(
  [
    '^(?:bench_[a-z0-9]+|k6)', // the benchmark's prefix
    '_([0-9a-z]{8})', // the time it started, in base 36
    `(?:_(?:${serviceNames.join('|')})$|\\.)`, // a service's database, or a topic
  ].join(''),
);

/**
 * True when `name` carries a uniqueName stamp or a benchmark's namespace older than `olderThanMs` (a test run or
 * benchmark cannot last that long).
 */
export function isStaleTestName(name: string, now: number, olderThanMs: number): boolean {
  const match = stamped.exec(name) ?? benchNamespace.exec(name);
  if (!match) return false;
  const time = parseInt(match[1]!, 36);
  // A plausible stamp only: from 2024 on, and not from the future.
  return time > Date.UTC(2024, 0, 1) && time <= now - olderThanMs;
}

/** Deletes the topics and databases earlier test runs and benchmarks left, keeping any newer than `olderThanMs`. */
export function pruneTestLeftovers(
  infra: Pick<InfraEnv, 'KAFKA_BROKERS' | 'MONGO_URL'>,
  olderThanMs = 6 * 60 * 60 * 1000,
): Promise<DeletedData> {
  const now = Date.now();
  const stale = (name: string) => isStaleTestName(name, now, olderThanMs);
  return deleteData(infra, { topics: stale, databases: stale });
}
