import { randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createKafka, createMongoServer, createRedis, type Component } from '@platform/local-infra';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Where this process starts looking in its worker's range. Random, not 0: test runs of other checkouts on the same
 * machine use the same ranges, and two runs starting at the same port would race for it (a service failing with
 * EADDRINUSE, or worse, a test talking to another run's service).
 */
let nextOffset = randomInt(1_500);

/**
 * A port nobody is listening on, from a range of this jest worker's own (below the OS's ephemeral range), so
 * parallel test files never pick the same one between choosing it and a spawned server binding it.
 */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const base = 20_000 + ((worker - 1) % 8) * 1_500;
  for (let tries = 0; tries < 1_500; tries++) {
    const port = base + (nextOffset++ % 1_500);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in ${base}-${base + 1_499}`);
}

/**
 * A Redis of the test's own, for tests that stop and restart it (the shared one must stay up for
 * every other test file). Call `stop()` in afterAll.
 */
export async function startPrivateRedis(): Promise<Component> {
  const redis = createRedis({
    useEnv: false,
    port: await freePort(),
    runDir: mkdtempSync(path.join(os.tmpdir(), 'private-redis-')),
  });
  await redis.start();
  return redis;
}

/** A single-node Kafka of the test's own (KRaft), e.g. to stop the broker while a service keeps running. */
export async function startPrivateKafka(): Promise<Component> {
  const port = await freePort();
  const kafka = createKafka({
    useEnv: false,
    port,
    controllerPort: await freePort(),
    runDir: mkdtempSync(path.join(os.tmpdir(), 'private-kafka-')),
    heap: '384m',
  });
  await kafka.start();
  return kafka;
}

/** A MongoDB-protocol database of the test's own, for tests that stop and restart it. Call `stop()` in afterAll. */
export async function startPrivateMongo(): Promise<Component> {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'private-mongodb-'));
  const db = createMongoServer({ useEnv: false, port: await freePort(), runDir });
  await db.start();
  return db;
}
