import { isAppError } from './app-error';

/**
 * Throw it (or any error with `transient: true`) to say "try again later, nothing is wrong with the input":
 * a consumer then retries with backoff, holding the partition, and never dead-letters the message.
 */
export class TransientError extends Error {
  override name = 'TransientError';
  readonly transient = true;
}

/**
 * Throw it (or any error with `poison: true`) to say "this input can never succeed": a consumer dead-letters the
 * message at once instead of retrying.
 */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
  readonly poison = true;
}

/** What a failure says about retrying: later (`transient`), never (`poison`), or a few times (`unknown`). */
export type FailureKind = 'transient' | 'poison' | 'unknown';

/** The MongoDB driver's and mongoose's names for "cannot reach the database right now". */
const TRANSIENT_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoTopologyClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'MongoWriteConcernError',
  // ioredis
  'MaxRetriesPerRequestError',
  // undici (the kit's HTTP client below its AppErrors)
  'ConnectTimeoutError',
  'HeadersTimeoutError',
  'BodyTimeoutError',
  'SocketError',
]);

/** MongoDB server codes for a node stepping down, shutting down or timing out. */
const TRANSIENT_MONGO_CODES = new Set([6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/** Labels the MongoDB driver puts on errors that a retry may cure. */
const TRANSIENT_LABELS = ['RetryableWriteError', 'ResetPool', 'TransientTransactionError', 'NoWritesPerformed'];

const TRANSIENT_SYSCALL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Messages of errors that have no better mark (mongoose's buffering, ioredis without its offline queue). */
const TRANSIENT_MESSAGES = [
  /buffering timed out/i,
  /connection is closed/i,
  /stream isn't writeable/i,
  /client must be connected/i,
];

interface Inspectable {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  transient?: unknown;
  poison?: unknown;
  errorLabels?: unknown;
  cause?: unknown;
}

function* chain(err: unknown, depth = 0): Generator<Inspectable> {
  if (typeof err !== 'object' || err === null || depth > 8) return;
  const e = err as Inspectable;
  yield e;
  if (e.cause !== undefined && e.cause !== err) yield* chain(e.cause, depth + 1);
}

function isTransientOne(e: Inspectable): boolean {
  if (e.transient === true) return true;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'number' && TRANSIENT_MONGO_CODES.has(e.code)) return true;
  if (typeof e.code === 'string' && (TRANSIENT_SYSCALL_CODES.has(e.code) || e.code.startsWith('UND_ERR_'))) return true;
  if (Array.isArray(e.errorLabels) && e.errorLabels.some((label) => TRANSIENT_LABELS.includes(label as string))) {
    return true;
  }
  if (typeof e.message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(e.message as string))) {
    return true;
  }
  // An upstream that is down or slow (the kit's HTTP client answers 503/504 AppErrors), or "busy, come back".
  return isAppError(e) && (e.status === 503 || e.status === 504);
}

/**
 * Classifies a failure for whoever decides between retrying and giving up (the Kafka consumer, a sweeper):
 * infrastructure that is down or slow is `transient`; an input that cannot succeed (marked poison, or an AppError
 * with a 4xx status: the same input gets the same answer) is `poison`; anything else (a bug, most likely) is
 * `unknown`, worth a few retries before a person looks at it.
 */
export function classifyFailure(err: unknown): FailureKind {
  for (const e of chain(err)) {
    if (e.poison === true) return 'poison';
    if (isTransientOne(e)) return 'transient';
  }
  if (isAppError(err) && err.status >= 400 && err.status < 500) return 'poison';
  return 'unknown';
}

export function isTransientError(err: unknown): boolean {
  return classifyFailure(err) === 'transient';
}
