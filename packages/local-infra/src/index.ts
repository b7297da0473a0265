import fs from 'node:fs';
import path from 'node:path';
import type { Component } from './component';
import { createKafka } from './kafka';
import { createMongoServer } from './mongo-server';
import { createRedis } from './redis';
import { dirs } from './paths';
import { withLock } from './process';

export type { Component } from './component';
export { createKafka, probeKafka } from './kafka';
export type { KafkaOptions } from './kafka';
export { createFerretDb, probeMongo } from './ferretdb';
export type { FerretDbOptions } from './ferretdb';
export { createMongoServer } from './mongo-server';
export type { MongoServerOptions } from './mongo-server';
export { createPostgres } from './postgres';
export type { PostgresOptions } from './postgres';
export { createRedis, probeRedis } from './redis';
export { createJaeger } from './jaeger';
export type { JaegerOptions, TraceBackend } from './jaeger';
export { createPrometheus, renderAlertRules, scrapeTargets, RULES_NAMESPACE } from './prometheus';
export type { PrometheusComponent, PrometheusOptions, ScrapeTarget } from './prometheus';
export { InfraError, tail } from './process';
export { dirs, localHome, repoRoot } from './paths';
export { imageCommand } from './services';

/** Connection settings in the variables every service reads. */
export interface InfraEnv {
  KAFKA_BROKERS: string;
  MONGO_URL: string;
  REDIS_URL: string;
}

export interface ComponentStatus {
  name: string;
  url: string;
  external: boolean;
  up: boolean;
}

/** The shared local instances (or the external ones named by KAFKA_BROKERS / MONGO_URL / REDIS_URL). */
export function localInfra(options: { useEnv?: boolean } = {}): Component[] {
  return [createKafka(options), createMongoServer(options), createRedis(options)];
}

export function infraEnv(components = localInfra()): InfraEnv {
  const [kafka, mongo, redis] = components as [Component, Component, Component];
  return { KAFKA_BROKERS: kafka.url, MONGO_URL: mongo.url, REDIS_URL: redis.url };
}

export async function infraStatus(components = localInfra()): Promise<ComponentStatus[]> {
  return Promise.all(
    components.map(async (c) => ({ name: c.name, url: c.url, external: c.external, up: await c.probe() })),
  );
}

/**
 * Makes sure every component answers: installs and starts what is missing, leaves running ones alone,
 * only checks external ones. Returns the names of the components this call started.
 */
export async function ensureInfra(components = localInfra()): Promise<string[]> {
  const started: string[] = [];
  await withInfraLock(() =>
    Promise.all(
      components.map(async (c) => {
        if (await c.probe()) return;
        if (c.external) throw new Error(`${c.name} at ${c.url} (from the environment) does not answer`);
        await c.start();
        started.push(c.name);
      }),
    ),
  );
  return started;
}

export async function stopInfra(components = localInfra(), only?: string[]): Promise<void> {
  await withInfraLock(() =>
    Promise.all(
      components.filter((c) => !c.external && (only === undefined || only.includes(c.name))).map((c) => c.stop()),
    ),
  );
}

/**
 * `npm run infra:reset`: stops the local components and deletes their data (Kafka's log, the database, Prometheus'
 * series); installed binaries and downloads stay. Components named by the environment are never touched.
 * Returns the folders it deleted.
 */
export async function resetInfra(components = localInfra()): Promise<string[]> {
  const local = components.filter((c) => !c.external);
  return withInfraLock(async () => {
    await Promise.all(local.map((c) => c.stop()));
    const wiped = local.flatMap((c) => c.dataDirs ?? []).filter((dir) => fs.existsSync(dir));
    for (const dir of wiped) fs.rmSync(dir, { recursive: true, force: true });
    return wiped;
  });
}

/** Starting and stopping the local components, one caller at a time per .local (see withLock). */
function withInfraLock<T>(fn: () => Promise<T>): Promise<T> {
  return withLock(path.join(dirs.run, 'infra.lock'), fn);
}
