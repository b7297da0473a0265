import path from 'node:path';

export type MigrationAction = 'up' | 'down' | 'status';

export interface MigrationOptions {
  mongoUrl: string;
  /** Folder of migrate-mongo migration files (`<timestamp>-<name>.js`, exporting `up(db)` and `down(db)`). */
  migrationsDir: string;
  /**
   * migrate-mongo guards concurrent runs with a lock collection that expires through a TTL index. FerretDB has
   * no TTL indexes, so the lock is off by default; the Helm hook runs migrations in a single Job anyway.
   * Set it (seconds) on a real MongoDB when several runners may race.
   */
  lockTtlSeconds?: number;
}

export interface MigrationResult {
  action: MigrationAction;
  /** Files applied (up), rolled back (down), or every file with its state (status). */
  files: string[];
}

/**
 * Runs migrate-mongo programmatically: the same code serves the deploy-time Job (`platform-migrate up`),
 * rollbacks (`platform-migrate down`, one migration at a time) and tests that prepare a fresh database.
 */
export async function runMigrations(action: MigrationAction, options: MigrationOptions): Promise<MigrationResult> {
  // migrate-mongo is ESM; its CommonJS entry (what a static import compiles to here) is a proxy that turns every
  // export into a promise, so load the ESM entry itself.
  const migrateMongo = await import('migrate-mongo');
  migrateMongo.config.set({
    mongodb: { url: options.mongoUrl, options: {} },
    migrationsDir: path.resolve(options.migrationsDir),
    changelogCollectionName: 'migrations_changelog',
    lockCollectionName: 'migrations_lock',
    lockTtl: options.lockTtlSeconds ?? 0,
    migrationFileExtension: '.js',
    useFileHash: false,
    moduleSystem: 'commonjs',
  });
  const { db, client } = await migrateMongo.database.connect();
  try {
    if (action === 'up') return { action, files: await migrateMongo.up(db, client) };
    if (action === 'down') return { action, files: await migrateMongo.down(db, client) };
    const status = await migrateMongo.status(db);
    return { action, files: status.map((s) => `${s.fileName}: ${s.appliedAt}`) };
  } finally {
    await client.close();
  }
}
