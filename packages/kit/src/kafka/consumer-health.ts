import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';

export interface ConsumerHealth {
  setRunning(running: boolean): void;
  /** Started and joined to its group. */
  isRunning(): boolean;
  /** False once kafkajs gave up on the consumer for good (a crash it does not restart) while it should run. */
  isAlive(): boolean;
}

/**
 * Follows the consumer's instrumentation events, so a check costs no broker round trip. An unreachable broker is
 * not a death: kafkajs restarts the consumer after retriable errors (and our start retries), so during an outage
 * the consumer is not running but alive. The same goes for an error thrown out of a batch (a non-transient failure
 * of the steps around a handler): kafkajs retries the batch, then crashes with KafkaJSNumberOfRetriesExceeded,
 * which it counts as retriable and restarts from; such a consumer is alive and redelivers the message.
 *
 * kafkajs also gives up for good on a few failures that are the cluster's: "Failed to find group coordinator"
 * (KafkaJSGroupCoordinatorNotFound) when a broker that has just started or returned has not yet elected the group's
 * coordinator. Those go to `restart`, which starts the consumer over and returns true; the consumer stays alive.
 * Only a crash kafkajs will not restart from and `restart` declines (a non-retriable error of ours: a bug, a bad
 * setting) is fatal, and only a process restart (the liveness probe failing) brings such a consumer back. A consumer
 * that was never started, or is stopping, is never dead.
 */
export function trackHealth(
  consumer: Pick<Consumer, 'on' | 'events'>,
  logger: Logger,
  restart: (error: Error) => boolean,
): ConsumerHealth {
  let running = false;
  let joined = false;
  let dead = false;
  consumer.on(consumer.events.GROUP_JOIN, function onGroupJoin() {
    joined = true;
  });
  consumer.on(consumer.events.CRASH, function onCrash({ payload }) {
    joined = false;
    if (payload.restart) {
      logger.error({ err: payload.error, restart: true }, 'Kafka consumer crashed; kafkajs restarts it');
    } else if (restart(payload.error)) {
      logger.error(
        { err: payload.error, restart: true },
        'Kafka consumer crashed and kafkajs gave up; starting it over',
      );
    } else {
      dead = true;
      logger.error({ err: payload.error, restart: false }, 'Kafka consumer stopped for good');
    }
  });
  consumer.on(consumer.events.STOP, function onStop() {
    joined = false;
  });
  return {
    setRunning(value) {
      running = value;
    },
    isRunning: () => running && joined,
    isAlive: () => !(running && dead),
  };
}
