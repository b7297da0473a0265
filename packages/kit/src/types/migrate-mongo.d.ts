// migrate-mongo ships no types; this covers the programmatic API used here, as its ESM entry exports it.
declare module 'migrate-mongo' {
  import type { Db, MongoClient } from 'mongodb';

  export const config: { set(content: Record<string, unknown>): void };
  export const database: { connect(): Promise<{ db: Db; client: MongoClient }> };
  export function up(db: Db, client: MongoClient): Promise<string[]>;
  export function down(db: Db, client: MongoClient): Promise<string[]>;
  export function status(db: Db): Promise<Array<{ fileName: string; appliedAt: string }>>;
}
