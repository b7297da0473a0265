import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Component } from './component';
import { createFerretDb, probeMongo } from './ferretdb';
import { fetchMavenJars } from './maven';
import { dirs, packageRoot } from './paths';
import { InfraError, isAlive, readPid, requireTool, run, startDaemon, stopDaemon, waitUntilReady } from './process';

export interface MongoServerOptions {
  /** false: always run a private instance here, even when MONGO_URL is set (tests that stop and start it). */
  useEnv?: boolean;
  port?: number;
  /** Address it listens on (default 127.0.0.1; local-cluster: the pod bridge's). */
  host?: string;
  /** Holds the data file, pid and log; separate instances need separate folders. */
  runDir?: string;
  heap?: string;
}

/**
 * The server opens its data file by rebuilding every collection's indexes in memory: a file of a few hundred
 * databases takes over a minute (test-kit's prune and throw-away platforms keep their number down).
 */
const readyTimeoutMs = 180_000;

const sourceDir = path.join(packageRoot, 'mongo-server');
const libs = path.join(dirs.cache, 'mongo-server', 'libs');

/** The wrapper's Java sources (../mongo-server/src), in a stable order. */
function javaSources(): string[] {
  return fs
    .readdirSync(path.join(sourceDir, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.java'))
    .sort()
    .map((file) => path.join(sourceDir, 'src', file));
}

/** The compiled wrapper's folder carries a hash of its sources and pom, so a change to any rebuilds it. */
function classesDir(): string {
  const hash = createHash('sha256');
  for (const file of [...javaSources(), path.join(sourceDir, 'pom.xml')]) {
    hash.update(path.relative(sourceDir, file)).update(fs.readFileSync(file));
  }
  return path.join(dirs.cache, 'mongo-server', `classes-${hash.digest('hex').slice(0, 12)}`);
}

/**
 * Fetches mongo-java-server and its H2 backend from Maven Central once (through ../mongo-server/pom.xml), then
 * compiles the wrapper (../mongo-server/src: LocalMongoServer.java and the indexes it adds) against them.
 */
export async function installMongoServer(): Promise<string> {
  const classes = classesDir();
  if (fs.existsSync(path.join(classes, 'LocalMongoServer.class'))) return classes;
  requireTool('javac', ['-version'], 'Install a JDK 17+ (Debian: apt-get install openjdk-17-jdk-headless).');
  await fetchMavenJars('mongo-java-server', path.join(sourceDir, 'pom.xml'), libs);
  const building = `${classes}.tmp-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  await run('javac', ['-cp', `${libs}/*`, '-d', building, ...javaSources()]);
  fs.rmSync(classes, { recursive: true, force: true });
  fs.renameSync(building, classes);
  return classes;
}

/**
 * The local MongoDB-protocol database: mongo-java-server (a MongoDB wire-protocol server in Java) with its H2
 * MVStore backend, every database of the instance in one file under `runDir`. Why this one, measured against
 * FerretDB: docs/local-database.md.
 */
export function createMongoServer(options: MongoServerOptions = {}): Component {
  const external = options.useEnv === false ? undefined : process.env.MONGO_URL;
  const port = options.port ?? 27027;
  const runDir = options.runDir ?? path.join(dirs.run, 'mongodb');
  const dataDir = path.join(runDir, 'data');
  const dataFile = path.join(dataDir, 'documents.mv.db');
  const spec = { name: 'mongodb', runDir };
  const host = options.host ?? '127.0.0.1';
  const url = external ?? `mongodb://${host}:${port}/`;
  // The shared instance replaces the FerretDB an earlier version of the project ran on the same port: while that
  // one is alive this one counts as down, and starting it stops that one (and its PostgreSQL) first.
  const replacesFerretDb = external === undefined && options.runDir === undefined;
  const legacyFerretDb = { name: 'ferretdb', runDir: path.join(dirs.run, 'ferretdb') };
  const probe = async (): Promise<boolean> =>
    !(replacesFerretDb && isAlive(readPid(legacyFerretDb))) && (await probeMongo(url));

  return {
    name: 'mongodb',
    url,
    external: external !== undefined,
    dataDirs: [dataDir],
    async install() {
      if (external === undefined) await installMongoServer();
    },
    probe,
    async start() {
      if (isAlive(readPid(spec)) && (await probe())) return;
      await stopDaemon(spec);
      if (replacesFerretDb) await createFerretDb({ useEnv: false }).stop();
      const classes = await installMongoServer();
      fs.mkdirSync(dataDir, { recursive: true });
      const args = [
        `-Xmx${options.heap ?? '512m'}`,
        // As the local Kafka broker (kafka.ts): the client JIT only and the serial collector, for a server that
        // answers a few hundred requests a second on a small heap.
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-Djava.awt.headless=true',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        // For measurements: e.g. a flight recording (-XX:StartFlightRecording=...) of the database under load.
        ...(process.env.LOCAL_MONGO_JAVA_OPTIONS?.split(/\s+/).filter(Boolean) ?? []),
        '-cp',
        `${classes}:${libs}/*`,
        'LocalMongoServer',
        host,
        String(port),
        dataFile,
      ];
      startDaemon({ ...spec, command: 'java', args, cwd: runDir });
      try {
        await waitUntilReady(spec, probe, readyTimeoutMs);
      } catch (err) {
        const megabytes = ((fs.statSync(dataFile, { throwIfNoEntry: false })?.size ?? 0) / 1e6).toFixed(0);
        throw new InfraError(
          `${(err as Error).message}\nIts data file ${dataFile} holds ${megabytes} MB. If that is large, ` +
            '`npm run infra:reset` empties it (and every other local data folder).',
        );
      }
    },
    async stop() {
      await stopDaemon(spec);
    },
  };
}
