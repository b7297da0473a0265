/* eslint-disable no-console -- a command-line tool talks to its terminal */
/**
 * The infrastructure of the local Kubernetes node (packages/local-cluster/cluster.sh): Kafka, the MongoDB-protocol
 * database (mongo-server.ts) and Redis as host processes, listening on the pod bridge's address only, so that pods
 * reach them through the selector-less Services `kafka`, `mongodb` and `redis-master` and nothing outside the
 * machine can. A separate instance from `npm run infra:up` (other ports, its own data under .local/run/cluster/), so the
 * shared loopback infrastructure of the tests is never touched.
 *
 *   tsx packages/local-infra/src/cluster-infra.ts up|down|status <bridge address>
 */
import path from 'node:path';
import { createKafka, createMongoServer, createRedis, dirs, ensureInfra, infraStatus, stopInfra } from './index';

/** Host ports; the Services map the contract's ports (9092, 27017, 6379) onto them. */
export const clusterInfraPorts = { kafka: 29092, mongodb: 27037, redis: 26379 } as const;

export function clusterInfra(host: string) {
  const runDir = (name: string): string => path.join(dirs.run, 'cluster', name);
  return [
    createKafka({ useEnv: false, host, port: clusterInfraPorts.kafka, runDir: runDir('kafka') }),
    createMongoServer({ useEnv: false, host, port: clusterInfraPorts.mongodb, runDir: runDir('mongodb') }),
    createRedis({ useEnv: false, host, port: clusterInfraPorts.redis, runDir: runDir('redis') }),
  ];
}

async function main(): Promise<void> {
  const [command, host] = process.argv.slice(2);
  if (!command || !host) throw new Error('usage: cluster-infra up|down|status <listen address>');
  const components = clusterInfra(host);
  if (command === 'up') {
    const started = await ensureInfra(components);
    console.log(`cluster-infra: ${started.length ? `started ${started.join(', ')}` : 'already running'}`);
  } else if (command === 'down') {
    await stopInfra(components);
    console.log('cluster-infra: stopped');
  } else if (command !== 'status') {
    throw new Error(`unknown command ${command}`);
  }
  const status = await infraStatus(components);
  for (const s of status) console.log(`${s.name.padEnd(8)} ${s.up ? 'up  ' : 'down'}  ${s.url}`);
  if (command !== 'down' && !status.every((s) => s.up)) process.exitCode = 3;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
