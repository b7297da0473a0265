/**
 * `@platform/kit/mongoose`: the kit's parts that load mongoose (and with it the mongodb driver, some 40 MB of a
 * process's memory), apart from the main entry so a deployable without a database, the gateway, never loads them.
 * A service's data-access layer imports from here; the infrastructure plugin loads the mongo plugin when asked.
 */
export { mongo, connectMongo } from './mongo';
export type { MongoOptions } from './mongo';
export { outboxSchemaPlugin } from './kafka/outbox-schema';
export { isDuplicateKeyError } from './mongo-errors';
