/**
 * The saga benchmark's infrastructure of its own: a Kafka it may stop and start, a MongoDB-protocol database that
 * holds nothing else (so its idle CPU and its data are the benchmark's alone) and a Redis, on ports
 * apart from the shared instances' and the tests'. Created empty under the work folder at every invocation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import {
  createKafka,
  createMongoServer,
  createRedis,
  type Component,
  type InfraEnv,
} from '../packages/local-infra/src/index';
import { pidsOnPort } from './proc';

export const infraPorts = { kafka: 19192, kafkaController: 19193, mongodb: 27127, redis: 16479 };

export interface SagaInfra {
  env: InfraEnv;
  kafka: Component;
  /** The database's process. */
  databasePids(): { database: number[] };
  /**
   * Waits (at most `timeoutMs`) until no order of the platform of `namespace` is PENDING or has events to publish,
   * then empties every collection an order leaves something in: the next measurement starts from an empty order
   * database with no saga of the last one still in flight. Returns the orders still unfinished when it gave up.
   */
  clearOrders(namespace: string, timeoutMs?: number): Promise<number>;
  /** Orders of the platform of `namespace` still PENDING, and those with events still to publish. */
  unfinishedOrders(namespace: string): Promise<{ pending: number; outboxPending: number }>;
  mongo: MongoClient;
  stop(): Promise<void>;
}

function words(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((w) => w !== '');
}

/** `NAME=value NAME2=value2` as an environment (experiment hooks: BENCH_ORDER_ENV, BENCH_GATEWAY_ENV). */
export function envWords(value: string | undefined): Record<string, string> {
  return Object.fromEntries(words(value).map((w) => w.split(/=(.*)/s).slice(0, 2)));
}

/** What the order, inventory and gateway databases keep apart from orders: reference data and migration marks. */
const kept = new Set(['migrations_changelog', 'migrations_lock', 'stock']);

export async function startSagaInfra(workDir: string, log: (line: string) => void): Promise<SagaInfra> {
  const dir = path.join(workDir, 'infra');
  const kafka = createKafka({
    useEnv: false,
    port: infraPorts.kafka,
    controllerPort: infraPorts.kafkaController,
    runDir: path.join(dir, 'kafka'),
    heap: '512m',
    // Experiments only: broker variants compared by saga-profile runs (space-separated; empty by default).
    jvmOptions: words(process.env.BENCH_KAFKA_JVM),
    properties: words(process.env.BENCH_KAFKA_PROPERTIES),
  });
  const database = createMongoServer({
    useEnv: false,
    port: infraPorts.mongodb,
    runDir: path.join(dir, 'mongodb'),
  });
  const redis = createRedis({ useEnv: false, port: infraPorts.redis, runDir: path.join(dir, 'redis') });
  const components = [kafka, database, redis];
  // Whatever an interrupted invocation left running, then its data: every invocation starts empty.
  await Promise.all(components.map((c) => c.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
  log(`starting a private Kafka, MongoDB-protocol database and Redis (in ${dir})`);
  await Promise.all(components.map((c) => c.start()));
  const mongo = await new MongoClient(database.url).connect();

  async function unfinishedOrders(namespace: string): Promise<{ pending: number; outboxPending: number }> {
    const orders = mongo.db(`${namespace}_order`).collection('orders');
    return {
      pending: await orders.countDocuments({ status: 'PENDING' }),
      outboxPending: await orders.countDocuments({ outboxPending: true }),
    };
  }

  async function clearOrders(namespace: string, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let unfinished = 0;
    for (;;) {
      const { pending, outboxPending } = await unfinishedOrders(namespace);
      unfinished = pending + outboxPending;
      if (unfinished === 0 || Date.now() > deadline) break;
      await sleep(1_000);
    }
    for (const service of ['order', 'inventory', 'gateway']) {
      const db = mongo.db(`${namespace}_${service}`);
      for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
        if (!kept.has(name)) await db.collection(name).deleteMany({});
      }
    }
    return unfinished;
  }

  return {
    env: { KAFKA_BROKERS: kafka.url, MONGO_URL: database.url, REDIS_URL: redis.url },
    kafka,
    mongo,
    databasePids: () => ({ database: pidsOnPort(infraPorts.mongodb) }),
    clearOrders,
    unfinishedOrders,
    async stop() {
      await mongo.close();
      await Promise.all(components.map((c) => c.stop()));
    },
  };
}
