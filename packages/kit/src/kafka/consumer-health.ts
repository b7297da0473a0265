import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';

export interface ConsumerHealth {
  setRunning(running: boolean): void;
  /** Running, joined to its group, and not crashed beyond what kafkajs restarts by itself. */
  isHealthy(): boolean;
}

/** Follows the consumer's instrumentation events, so a health check costs no broker round trip. */
export function trackHealth(consumer: Consumer, logger: Logger): ConsumerHealth {
  let running = false;
  let joined = false;
  let crashed = false;
  consumer.on(consumer.events.GROUP_JOIN, function onGroupJoin() {
    joined = true;
    crashed = false;
  });
  consumer.on(consumer.events.CRASH, function onCrash({ payload }) {
    joined = false;
    // kafkajs restarts the consumer after retriable errors. After any other it stays down for good, and only a
    // process restart (the liveness probe failing on isHealthy) brings it back.
    crashed = !payload.restart;
    logger.error({ err: payload.error, restart: payload.restart }, 'Kafka consumer crashed');
  });
  consumer.on(consumer.events.STOP, function onStop() {
    joined = false;
  });
  return {
    setRunning(value) {
      running = value;
    },
    isHealthy: () => running && joined && !crashed,
  };
}
