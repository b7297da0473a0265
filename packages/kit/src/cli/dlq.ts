#!/usr/bin/env node
/**
 * `npm run dlq -- list <topic> [--from <offset>] [--limit <n>]`
 * `npm run dlq -- replay <topic> (--offset <n> ... | --all) [--dry-run]`
 *
 * <topic> is the topic's logical name (`orders.v1`) or its dead-letter topic (`orders.v1.dlq`); the
 * KAFKA_TOPIC_PREFIX of the environment is prepended, as the services do. KAFKA_BROKERS defaults to the local broker.
 * `list` prints one JSON line per dead letter; `replay` republishes the chosen ones onto their original topic.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import { readDeadLetters, replayDeadLetters, type DeadLetter } from '../kafka/dead-letters';
import { createKafka, PRODUCER_CLUSTER_RETRY } from '../kafka/kafka-client';
import { createProducer } from '../kafka/producer';
import { deadLetterTopic } from '../kafka/topics';

export interface CommandIo {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
}

/** Runs a command as the process's main module: its exit code, or 1 with the stack on stderr when it throws. */
export function runCli(command: (argv: string[], io: CommandIo) => Promise<number>): void {
  command(process.argv.slice(2), { env: process.env, out: (line) => process.stdout.write(`${line}\n`) }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}

const USAGE = [
  'usage: npm run dlq -- list <topic> [--from <offset>] [--limit <n>]',
  '       npm run dlq -- replay <topic> (--offset <n> ... | --all) [--dry-run]',
].join('\n');

/** What a person needs to decide on a dead letter, without the raw value and headers. */
function summary(letter: DeadLetter): Record<string, unknown> {
  const { value: _value, headers: _headers, ...rest } = letter;
  return rest;
}

/** Runs one dlq command; returns the process exit code. */
export async function dlqCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const [action, name] = positionals;
  if ((action !== 'list' && action !== 'replay') || !name) {
    io.out(USAGE);
    return 2;
  }
  if (action === 'replay' && !values.all && !values.offset?.length) {
    io.out('replay needs --offset <n> (repeatable) or --all');
    return 2;
  }
  const prefix = io.env.KAFKA_TOPIC_PREFIX ?? '';
  const logical = name.endsWith('.dlq') ? name.slice(0, -'.dlq'.length) : name;
  const dlq = deadLetterTopic(`${prefix}${logical}`);
  const logger = pino({ level: io.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const brokers = (io.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  const kafka = createKafka({ clientId: 'platform-dlq', brokers, logger });

  const letters = await readDeadLetters(kafka, dlq, {
    fromOffset: BigInt(values.from ?? '0'),
    limit: values.limit === undefined ? undefined : Number(values.limit),
  });
  if (action === 'list') {
    for (const letter of letters) io.out(JSON.stringify(summary(letter)));
    return 0;
  }

  const wanted = values.all ? letters : letters.filter((l) => values.offset!.includes(l.offset));
  const missing = (values.offset ?? []).filter((o) => !letters.some((l) => l.offset === o));
  if (missing.length > 0) io.out(`not in ${dlq}: offset(s) ${missing.join(', ')}`);
  if (values['dry-run']) {
    for (const letter of wanted) io.out(JSON.stringify({ wouldReplay: letter.offset, to: letter.originalTopic }));
    return missing.length > 0 ? 1 : 0;
  }
  const producerKafka = createKafka({
    clientId: 'platform-dlq',
    brokers,
    logger,
    config: { retry: PRODUCER_CLUSTER_RETRY },
  });
  const producer = createProducer({ kafka: producerKafka, registry: new Registry(), logger });
  try {
    const replayed = await replayDeadLetters(producer, wanted, dlq);
    io.out(JSON.stringify({ replayed: replayed.length, offsets: replayed, from: dlq }));
  } finally {
    await producer.disconnect();
  }
  return missing.length > 0 ? 1 : 0;
}

if (require.main === module) runCli(dlqCommand);
