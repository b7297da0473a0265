/* eslint-disable no-console -- a command-line benchmark reports to its terminal */
/**
 * Measures the local MongoDB-protocol database in each configuration the project considered (docs/local-database.md):
 *
 *   npm run bench:db -- [--configs sqlite-all,pg-writes,...] [--runs 3] [--docs 20000] [--idle-seconds 30] [--races 20]
 *
 * Every run starts a fresh private instance on free loopback ports under .local/run/bench/, seeds it, measures,
 * stops it and deletes its data. Nothing touches the shared instance on 27027. Results go to .local/bench/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import type { Component } from '../src/component';
import { createFerretDb, type FerretDbOptions } from '../src/ferretdb';
import { createMongoServer } from '../src/mongo-server';
import { dirs, localHome } from '../src/paths';
import { osPort, readPid } from '../src/process';
import {
  atomicityRaces,
  idleCpu,
  latencies,
  median,
  percentile,
  readsBesideRelays,
  relayClaim,
  seedOrders,
  type OrderDoc,
} from './measure';

interface FerretDbConfig {
  server: 'ferretdb';
  label: string;
  backend: NonNullable<FerretDbOptions['backend']>;
  serialise: NonNullable<FerretDbOptions['serialise']>;
  indexSiblings?: boolean;
}

type BenchConfig = FerretDbConfig | { server: 'mongo-java-server'; label: string };

const configs: Record<string, BenchConfig> = {
  'sqlite-all': {
    server: 'ferretdb',
    label: 'SQLite, every request serialised (before)',
    backend: 'sqlite',
    serialise: 'all',
  },
  'pg-all': {
    server: 'ferretdb',
    label: 'PostgreSQL, every request serialised',
    backend: 'postgresql',
    serialise: 'all',
    indexSiblings: false,
  },
  'pg-none': {
    server: 'ferretdb',
    label: 'PostgreSQL, no proxy',
    backend: 'postgresql',
    serialise: 'none',
    indexSiblings: false,
  },
  'pg-writes': {
    server: 'ferretdb',
    label: 'PostgreSQL, writes serialised per collection',
    backend: 'postgresql',
    serialise: 'writes',
    indexSiblings: false,
  },
  'pg-gin-writes': {
    server: 'ferretdb',
    label: 'PostgreSQL + GIN index siblings, writes serialised per collection (chosen until 2026-11-30)',
    backend: 'postgresql',
    serialise: 'writes',
    indexSiblings: true,
  },
  'mongo-java-server': { server: 'mongo-java-server', label: 'mongo-java-server, H2 MVStore backend (chosen)' },
};

/** The server of a configuration, on a free port in `runDir`, and its processes (whose CPU counts). */
async function createServer(config: BenchConfig, runDir: string): Promise<{ db: Component; pids(): number[] }> {
  if (config.server === 'mongo-java-server') {
    const db = createMongoServer({ useEnv: false, port: await osPort(), runDir });
    return { db, pids: () => [readPid({ name: 'mongodb', runDir })].filter((p): p is number => p !== undefined) };
  }
  const pgRunDir = path.join(runDir, 'postgresql');
  const db = createFerretDb({
    useEnv: false,
    port: await osPort(),
    runDir,
    backend: config.backend,
    serialise: config.serialise,
    postgres: { port: await osPort(), runDir: pgRunDir, indexSiblings: config.indexSiblings },
  });
  const pids = () =>
    [readPid({ name: 'ferretdb', runDir }), postmasterPid(pgRunDir)].filter((p): p is number => p !== undefined);
  return { db, pids };
}

type Metrics = Record<string, number>;

function postmasterPid(pgRunDir: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(pgRunDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

async function benchOnce(name: string, config: BenchConfig, o: { docs: number; idle: number; races: number }) {
  const runDir = path.join(dirs.run, 'bench', name);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const { db, pids } = await createServer(config, runDir);
  const metrics: Metrics = { loadBefore: os.loadavg()[0]! };
  let started = performance.now();
  await db.start();
  metrics.startS = (performance.now() - started) / 1_000;
  // Generous timeouts: with every request serialised on SQLite, the driver's heartbeat waits behind seconds of scans.
  const client = await MongoClient.connect(db.url, {
    maxPoolSize: 50,
    connectTimeoutMS: 300_000,
    serverSelectionTimeoutMS: 300_000,
    heartbeatFrequencyMS: 60_000,
  });
  try {
    const mongo = client.db('bench');
    const orders = mongo.collection<OrderDoc>('orders');
    started = performance.now();
    const ids = await seedOrders(mongo, o.docs);
    metrics.seedS = (performance.now() - started) / 1_000;
    const pick = (i: number) => (i * 7919) % ids.length;

    const byOrderNo = await latencies(50, (i) =>
      orders.findOne({ orderNo: `ORD-${String(pick(i)).padStart(6, '0')}` }),
    );
    const byId = await latencies(50, (i) => orders.findOne({ _id: ids[pick(i)] }));
    const claim = await latencies(30, () =>
      orders.findOneAndUpdate(
        { status: 'PENDING', nextAttemptAt: { $lte: new Date() } },
        { $set: { status: 'CONFIRMED' } },
        { sort: { nextAttemptAt: 1 } },
      ),
    );
    const relay = await latencies(10, () => relayClaim(mongo));
    Object.assign(metrics, {
      relayClaimMs: median(relay),
      findIndexedMs: median(byOrderNo),
      findIndexedP95Ms: percentile(byOrderNo, 95),
      findByIdMs: median(byId),
      findByIdP95Ms: percentile(byId, 95),
      claimMs: median(claim),
      claimP95Ms: percentile(claim, 95),
    });

    if (config.server === 'ferretdb') {
      const explain = await orders.find({ orderNo: 'ORD-000042' }).explain();
      console.log(`  explain find({orderNo}): ${JSON.stringify(explain.queryPlanner).slice(0, 300)}`);
    }
    // A relay with nothing to publish (no document has an outbox entry): FerretDB cannot push this filter down.
    metrics.idleRelayCpuPct = await idleCpu(pids, o.idle, 200, () => relayClaim(mongo));
    // A poll FerretDB can push down: equality on an indexed field that matches nothing.
    metrics.idleEqualityCpuPct = await idleCpu(pids, o.idle, 200, () => orders.findOne({ status: 'RETRY' }));

    started = performance.now();
    const failed = await atomicityRaces(mongo, o.races);
    Object.assign(metrics, {
      racesS: (performance.now() - started) / 1_000,
      lostDecrementRaces: failed.decrements,
      lostPushRaces: failed.pushes,
    });
    const beside = await readsBesideRelays(mongo, ids, 30);
    metrics.findByIdBesideRelaysMs = median(beside);
    metrics.findByIdBesideRelaysP95Ms = percentile(beside, 95);
    metrics.loadAfter = os.loadavg()[0]!;
  } finally {
    await client.close();
    await db.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  return metrics;
}

function summarise(results: Record<string, Metrics[]>): string {
  const names = Object.keys(results);
  const keys = Object.keys(Object.values(results)[0]![0]!);
  const cell = (values: number[]) => {
    const digits = Math.max(...values) >= 100 ? 0 : 1;
    return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
  };
  const lines = [`| metric | ${names.join(' | ')} |`, `| --- | ${names.map(() => '---').join(' | ')} |`];
  for (const key of keys)
    lines.push(`| ${key} | ${names.map((n) => cell(results[n]!.map((m) => m[key]!))).join(' | ')} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      configs: { type: 'string', default: Object.keys(configs).join(',') },
      runs: { type: 'string', default: '3' },
      docs: { type: 'string', default: '20000' },
      'idle-seconds': { type: 'string', default: '30' },
      races: { type: 'string', default: '20' },
    },
  });
  const names = values.configs.split(',');
  for (const n of names)
    if (!configs[n]) throw new Error(`unknown config ${n}; known: ${Object.keys(configs).join(', ')}`);
  const o = { docs: Number(values.docs), idle: Number(values['idle-seconds']), races: Number(values.races) };
  const results: Record<string, Metrics[]> = {};
  // Runs interleave the configurations, so a change in the machine's load spreads over all of them.
  for (let run = 1; run <= Number(values.runs); run++) {
    for (const name of names) {
      console.log(`run ${run}: ${name} (${configs[name]!.label})`);
      const metrics = await benchOnce(name, configs[name]!, o);
      console.log(`  ${JSON.stringify(metrics)}`);
      (results[name] ??= []).push(metrics);
    }
  }
  const outDir = path.join(localHome, 'bench');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `database-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(outFile, JSON.stringify({ options: o, machine: machine(), configs, results }, null, 2));
  console.log(`\nmedian (min–max) over ${values.runs} runs; raw results in ${outFile}\n`);
  console.log(summarise(results));
}

function machine() {
  return { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: os.totalmem() / 2 ** 30, node: process.version };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
