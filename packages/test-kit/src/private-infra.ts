import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createKafka, createRedis, type Component } from '@platform/local-infra';

/** Asks the OS for a port nobody is listening on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
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
