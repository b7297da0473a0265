import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Component } from './component';
import { dirs, packageRoot } from './paths';
import { createPostgres, type PostgresOptions } from './postgres';
import { isAlive, readPid, requireTool, run, startDaemon, stopDaemon, waitUntilReady } from './process';

export interface FerretDbOptions {
  /** false: always run a private instance here, even when MONGO_URL is set (tests that stop and start it). */
  useEnv?: boolean;
  port?: number;
  /** Address it listens on (default 127.0.0.1; local-cluster: the pod bridge's). Its PostgreSQL stays on loopback. */
  host?: string;
  runDir?: string;
  /**
   * Where FerretDB keeps the documents: a PostgreSQL cluster of the project's own (the default, see postgres.ts)
   * or SQLite files (kept to reproduce the measurements in docs/local-database.md).
   */
  backend?: 'postgresql' | 'sqlite';
  /** The PostgreSQL behind it (backend 'postgresql'); defaults to port 15432 and .local/run/postgresql. */
  postgres?: PostgresOptions;
  /**
   * Which requests the wrapper's proxy serialises (ferretdb/serial_proxy.go): read-modify-write commands per
   * collection ('writes', the default), every request ('all', what SQLite needs), or none (measurements only).
   */
  serialise?: 'writes' | 'all' | 'none';
  /** More environment for FerretDB's process (benchmarks compare Go runtime settings, e.g. `GOGC`). */
  env?: NodeJS.ProcessEnv;
}

const sourceDir = path.join(packageRoot, 'ferretdb');

/** The binary's name carries a hash of the wrapper's source (tests aside), so a change to the wrapper rebuilds it. */
function binaryPath(): string {
  const hash = createHash('sha256');
  for (const file of fs
    .readdirSync(sourceDir)
    .filter((f) => /\.(go|mod|sum)$/.test(f) && !f.endsWith('_test.go'))
    .sort()) {
    hash.update(file).update(fs.readFileSync(path.join(sourceDir, file)));
  }
  return path.join(dirs.bin, `ferretdb-${hash.digest('hex').slice(0, 12)}`);
}

/**
 * Builds FerretDB v1 from the Go module proxy once. The wrapper in ../ferretdb embeds
 * FerretDB's `ferretdb` package, because a plain `go install` of its command panics on a missing version file.
 */
export async function installFerretDb(): Promise<string> {
  const binary = binaryPath();
  if (fs.existsSync(binary)) return binary;
  requireTool('go', ['version'], 'Install Go 1.22+ (https://go.dev/dl/ or Debian: apt-get install golang).');
  process.stderr.write('local-infra: building FerretDB with Go (first run only)...\n');
  fs.mkdirSync(dirs.bin, { recursive: true });
  await run('go', ['build', '-trimpath', '-o', binary, '.'], { cwd: sourceDir });
  return binary;
}

export function createFerretDb(options: FerretDbOptions = {}): Component {
  const external = options.useEnv === false ? undefined : process.env.MONGO_URL;
  const port = options.port ?? 27027;
  const runDir = options.runDir ?? path.join(dirs.run, 'ferretdb');
  const backend = options.backend ?? 'postgresql';
  const postgres = backend === 'postgresql' ? createPostgres(options.postgres) : undefined;
  const sqliteDir = path.join(runDir, 'data');
  const spec = { name: 'ferretdb', runDir };
  const host = options.host ?? '127.0.0.1';
  const url = external ?? `mongodb://${host}:${port}/`;
  const probe = (): Promise<boolean> => probeMongo(url);

  function backendArgs(): string[] {
    if (!postgres) return ['-handler', 'sqlite', '-data', sqliteDir];
    return ['-handler', 'postgresql', '-postgresql-url', postgres.url];
  }

  return {
    name: 'mongodb',
    url,
    external: external !== undefined,
    // The SQLite folder too: a checkout that ran the SQLite backend before leaves its documents there.
    dataDirs: [sqliteDir, ...(postgres?.dataDirs ?? [])],
    async install() {
      if (external !== undefined) return;
      await installFerretDb();
      await postgres?.install();
    },
    probe,
    async start() {
      await postgres?.start();
      if (isAlive(readPid(spec)) && (await probe())) return;
      // A FerretDB that runs but does not answer (its backend was down) is replaced.
      await stopDaemon(spec);
      const binary = await installFerretDb();
      const args = ['-listen', `${host}:${port}`, ...backendArgs(), '-serialise', options.serialise ?? 'writes'];
      startDaemon({ ...spec, command: binary, args, cwd: runDir, env: options.env });
      await waitUntilReady(spec, probe, 30_000);
    },
    async stop() {
      await stopDaemon(spec);
      await postgres?.stop();
    },
  };
}

export async function probeMongo(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1_000, connectTimeoutMS: 1_000 });
  try {
    await client.connect();
    const reply = await client.db('admin').command({ ping: 1 });
    return reply.ok === 1;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}
