/**
 * Which Kafka failures say "the broker cannot be reached (or is electing a leader)" rather than "the broker refuses
 * this message". The first kind is about the cluster, not the message: a publisher retries it without counting it
 * against the message, and a new producer is often the quickest way back once the broker returns.
 */

/** kafkajs error names that mean no usable connection to the cluster. */
const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'KafkaJSGroupCoordinatorNotFound',
]);

/** Broker answers that mean "not now": leadership moving, replicas missing, the broker shutting down. */
const UNAVAILABLE_TYPES = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'REQUEST_TIMED_OUT',
  'REPLICA_NOT_AVAILABLE',
  'NETWORK_EXCEPTION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NOT_CONTROLLER',
  'KAFKA_STORAGE_ERROR',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'PREFERRED_LEADER_NOT_AVAILABLE',
  'ELIGIBLE_LEADERS_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);

/** The idempotent producer's own state no longer matches the broker's (e.g. after a broker restart lost it). */
const PRODUCER_STATE_TYPES = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

interface KafkaishError {
  name?: unknown;
  type?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/** The error and everything it wraps (kafkajs: `cause`, `originalError`; aggregate errors: `errors`). */
function* chain(err: unknown, depth = 0): Generator<KafkaishError> {
  if (typeof err !== 'object' || err === null || depth > 8) return;
  const e = err as KafkaishError;
  yield e;
  if (e.cause !== undefined && e.cause !== err) yield* chain(e.cause, depth + 1);
  if (e.originalError !== undefined) yield* chain(e.originalError, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

/** True when the failure is the cluster's (unreachable, electing, shutting down), not the message's. */
export function isBrokerUnavailable(err: unknown): boolean {
  for (const e of chain(err)) {
    if (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) return true;
    if (typeof e.type === 'string' && UNAVAILABLE_TYPES.has(e.type)) return true;
    // kafkajs' own wording when a send meets a producer whose connection was dropped.
    if (
      typeof e.message === 'string' &&
      /producer is disconnected|connection (?:error|closed|timeout)/i.test(e.message)
    ) {
      return true;
    }
    // Node's socket errors, when kafkajs passes them on unwrapped.
    if ((e as { code?: unknown }).code === 'ECONNREFUSED' || (e as { code?: unknown }).code === 'ECONNRESET')
      return true;
  }
  return false;
}

/** True when a new producer is the fix: the cluster was unreachable, or the producer's idempotence state is stale. */
export function needsNewProducer(err: unknown): boolean {
  if (isBrokerUnavailable(err)) return true;
  for (const e of chain(err)) if (typeof e.type === 'string' && PRODUCER_STATE_TYPES.has(e.type)) return true;
  return false;
}

/** One line for logs, headers and the parked entry: the innermost message that says what happened. */
export function describeError(err: unknown): string {
  const messages: string[] = [];
  for (const e of chain(err)) if (typeof e.message === 'string' && e.message) messages.push(e.message);
  const unique = [...new Set(messages)];
  return (unique.join(': ') || String(err)).slice(0, 1_000);
}
