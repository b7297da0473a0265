import { runMigrations } from '@platform/kit';

/** Applies a service's migrations (its indexes) to a test database, exactly as the deploy-time Job does. */
export async function migrateUp(migrationsDir: string, mongoUrl: string): Promise<void> {
  await runMigrations('up', { mongoUrl, migrationsDir });
}

/** Rolls back every applied migration, newest first (migrate-mongo undoes one per call); returns the files undone. */
export async function migrateDownAll(migrationsDir: string, mongoUrl: string): Promise<string[]> {
  const undone: string[] = [];
  for (;;) {
    const { files } = await runMigrations('down', { mongoUrl, migrationsDir });
    if (files.length === 0) return undone;
    undone.push(...files);
  }
}
