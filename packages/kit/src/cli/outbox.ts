#!/usr/bin/env node
/**
 * `npm run outbox -- parked <collection> [--limit <n>]`
 * `npm run outbox -- requeue <collection> <id> ...`
 *
 * Against the database in MONGO_URL (the service's own, e.g. mongodb://127.0.0.1:27027/order). `parked` prints one
 * JSON line per document holding parked outbox entries; `requeue` puts a document's parked entries back at the head
 * of its outbox for the relay's next sweep. Ids of 24 hex digits are read as ObjectIds.
 */
import { parseArgs } from 'node:util';
import { MongoClient, ObjectId } from 'mongodb';
import { findParked, requeueParked } from '../kafka/outbox-parked';
import { runCli, type CommandIo } from './dlq';

const USAGE = [
  'usage: MONGO_URL=... npm run outbox -- parked <collection> [--limit <n>]',
  '       MONGO_URL=... npm run outbox -- requeue <collection> <id> ...',
].join('\n');

function documentId(id: string): unknown {
  return /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : id;
}

/** Runs one outbox command; returns the process exit code. */
export async function outboxCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { limit: { type: 'string', default: '100' } },
  });
  const [action, collectionName, ...ids] = positionals;
  const url = io.env.MONGO_URL;
  if (
    !url ||
    !collectionName ||
    (action !== 'parked' && action !== 'requeue') ||
    (action === 'requeue' && !ids.length)
  ) {
    io.out(USAGE);
    return 2;
  }
  const client = await MongoClient.connect(url, { serverSelectionTimeoutMS: 5_000 });
  try {
    const collection = client.db().collection(collectionName);
    if (action === 'parked') {
      for (const doc of await findParked(collection, Number(values.limit))) io.out(JSON.stringify(doc));
      return 0;
    }
    let failed = 0;
    for (const id of ids) {
      const requeued = await requeueParked(collection, documentId(id));
      if (requeued === 0) failed++;
      io.out(JSON.stringify({ id, requeued }));
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await client.close();
  }
}

if (require.main === module) runCli(outboxCommand);
