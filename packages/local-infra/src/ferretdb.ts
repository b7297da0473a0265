import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Component } from './component';
import { dirs, packageRoot } from './paths';
import { isAlive, readPid, requireTool, run, startDaemon, stopDaemon, waitUntilReady } from './process';

export interface FerretDbOptions {
  /** false: always run a private instance here, even when MONGO_URL is set (tests that stop and start it). */
  useEnv?: boolean;
  port?: number;
  runDir?: string;
}

const sourceDir = path.join(packageRoot, 'ferretdb');

/** The binary's name carries a hash of the wrapper's source, so a change to the wrapper rebuilds it. */
function binaryPath(): string {
  const hash = createHash('sha256');
  for (const file of fs
    .readdirSync(sourceDir)
    .filter((f) => /\.(go|mod|sum)$/.test(f))
    .sort()) {
    hash.update(file).update(fs.readFileSync(path.join(sourceDir, file)));
  }
  return path.join(dirs.bin, `ferretdb-${hash.digest('hex').slice(0, 12)}`);
}

/**
 * Builds FerretDB v1 (SQLite backend) from the Go module proxy once. The wrapper in ../ferretdb embeds
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
  const spec = { name: 'ferretdb', runDir };
  const url = external ?? `mongodb://127.0.0.1:${port}/`;
  const probe = (): Promise<boolean> => probeMongo(url);

  return {
    name: 'mongodb',
    url,
    external: external !== undefined,
    install: async () => void (await installFerretDb()),
    probe,
    async start() {
      if (isAlive(readPid(spec)) && (await probe())) return;
      const binary = await installFerretDb();
      const args = ['-listen', `127.0.0.1:${port}`, '-data', path.join(runDir, 'data')];
      startDaemon({ ...spec, command: binary, args, cwd: runDir });
      await waitUntilReady(spec, probe, 30_000);
    },
    async stop() {
      await stopDaemon(spec);
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
