import path from 'node:path';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import type { Component } from './component';
import { dirs } from './paths';
import { InfraError, isAlive, readPid, requireTool, run, startDaemon, stopDaemon, waitUntilReady } from './process';

export interface RedisOptions {
  /** false: always run a private instance here, even when REDIS_URL is set (tests that stop and start it). */
  useEnv?: boolean;
  port?: number;
  /** Address it listens on (default 127.0.0.1; local-cluster: the pod bridge's). */
  host?: string;
  runDir?: string;
}

/** Uses Debian's redis-server; installs it with apt-get when running as root, otherwise says how. */
export async function installRedis(): Promise<void> {
  try {
    requireTool('redis-server', ['--version'], '');
    return;
  } catch {
    if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
      throw new InfraError(
        'redis-server is required but was not found on PATH. Install it (Debian: apt-get install redis-server).',
      );
    }
  }
  process.stderr.write('local-infra: installing redis-server with apt-get (first run only)...\n');
  await run('apt-get', ['install', '-y', '-qq', 'redis-server'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
}

export function createRedis(options: RedisOptions = {}): Component {
  const external = options.useEnv === false ? undefined : process.env.REDIS_URL;
  const port = options.port ?? 16379;
  const runDir = options.runDir ?? path.join(dirs.run, 'redis');
  const spec = { name: 'redis', runDir };
  const host = options.host ?? '127.0.0.1';
  const url = external ?? `redis://${host}:${port}`;
  const probe = (): Promise<boolean> => probeRedis(url);

  return {
    name: 'redis',
    url,
    external: external !== undefined,
    install: installRedis,
    probe,
    async start() {
      if (isAlive(readPid(spec)) && (await probe())) return;
      await installRedis();
      // No persistence: local Redis holds caches, rate limits and deny-lists that may be lost.
      const args = ['--bind', host, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', runDir];
      // Off loopback Redis refuses clients without a password ("protected mode"); the other address is the local
      // cluster's pod bridge, which nothing outside this machine reaches.
      if (host !== '127.0.0.1') args.push('--protected-mode', 'no');
      fs.mkdirSync(runDir, { recursive: true });
      startDaemon({ ...spec, command: 'redis-server', args, cwd: runDir });
      await waitUntilReady(spec, probe, 15_000);
    },
    async stop() {
      await stopDaemon(spec);
    },
  };
}

export async function probeRedis(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    // disconnect() ends the socket and destroys it after this unless it closes first; a socket that already
    // closed (nothing listening) never closes again, so the default 2 s timer kept every caller's process alive.
    disconnectTimeout: 100,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
