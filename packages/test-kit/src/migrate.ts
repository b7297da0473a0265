import { runMigrations } from '@platform/kit';

/** Applies a service's migrations (its indexes) to a test database, exactly as the deploy-time Job does. */
export async function migrateUp(migrationsDir: string, mongoUrl: string): Promise<void> {
  await runMigrations('up', { mongoUrl, migrationsDir });
}
