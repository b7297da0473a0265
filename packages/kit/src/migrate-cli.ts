#!/usr/bin/env node
/**
 * `platform-migrate up|down|status`: run by the Helm pre-install/pre-upgrade Job of each service, and by hand
 * for a rollback. Reads MONGO_URL and MIGRATIONS_DIR (default ./migrations) from the environment.
 */
import pino from 'pino';
import { runMigrations, type MigrationAction } from './migrations';

const log = pino({ base: { component: 'migrations' } });
const action = process.argv[2] as MigrationAction | undefined;
const mongoUrl = process.env.MONGO_URL;

if (!action || !['up', 'down', 'status'].includes(action) || !mongoUrl) {
  log.fatal('usage: MONGO_URL=... [MIGRATIONS_DIR=./migrations] platform-migrate up|down|status');
  process.exit(2);
}

runMigrations(action, {
  mongoUrl,
  migrationsDir: process.env.MIGRATIONS_DIR ?? 'migrations',
  lockTtlSeconds: Number(process.env.MIGRATIONS_LOCK_TTL_SECONDS ?? 0),
}).then(
  (result) => log.info(result, `migrations ${action} done`),
  (err: unknown) => {
    log.fatal({ err }, `migrations ${action} failed`);
    process.exit(1);
  },
);
