import { setTimeout as sleep } from 'node:timers/promises';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import mongoose, { type Connection } from 'mongoose';

declare module 'fastify' {
  interface FastifyInstance {
    mongo: Connection;
  }
}

export interface MongoOptions {
  url: string;
  maxPoolSize?: number;
  serverSelectionTimeoutMS?: number;
  socketTimeoutMS?: number;
  /** Attempts at start-up before giving up: the database may come up after the service (Kubernetes). */
  connectAttempts?: number;
  connectRetryDelayMs?: number;
}

/** One connection per app (not mongoose's global one), so several apps can share a process in tests. */
export async function connectMongo(options: MongoOptions, log: FastifyInstance['log']): Promise<Connection> {
  const attempts = options.connectAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const connection = mongoose.createConnection(options.url, {
      maxPoolSize: options.maxPoolSize ?? 20,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
      socketTimeoutMS: options.socketTimeoutMS ?? 30_000,
      // Indexes are built by migrations at deploy time, not by every replica at start-up.
      autoIndex: false,
    });
    try {
      return await connection.asPromise();
    } catch (err) {
      await connection.close().catch(() => undefined);
      if (attempt >= attempts) throw err;
      const delay = Math.min(options.connectRetryDelayMs ?? 500 * 2 ** (attempt - 1), 10_000);
      log.warn({ err, attempt, delay }, 'MongoDB not reachable yet, retrying');
      await sleep(delay);
    }
  }
}

async function mongoPlugin(app: FastifyInstance, options: MongoOptions): Promise<void> {
  const connection = await connectMongo(options, app.log);
  app.decorate('mongo', connection);
  app.health.register('mongodb', async function pingMongo() {
    const reply = await connection.db!.admin().ping();
    return reply.ok === 1;
  });
  app.addHook('onClose', async function closeMongo() {
    await connection.close();
  });
}

export const mongo = fp(mongoPlugin, { name: 'kit-mongo', fastify: '5.x', dependencies: ['kit-health'] });
