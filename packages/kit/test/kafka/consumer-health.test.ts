import { EventEmitter } from 'node:events';
import { KafkaJSConnectionError, KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError } from 'kafkajs';
import pino from 'pino';
import { trackHealth } from '../../src/kafka/consumer-health';
import { isBrokerUnavailable } from '../../src/kafka/kafka-errors';

/**
 * The decision alone, on a stand-in for the kafkajs consumer's instrumentation events (the real ones need a broker
 * that fails on cue; e2e/kafka-outage.test.ts meets the coordinator case on a fresh broker now and then).
 */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', STOP: 'consumer.stop' } as const;
  return {
    events,
    on: (event: string, listener: (e: unknown) => void) => {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    emit: (event: string, payload: Record<string, unknown> = {}) => emitter.emit(event, { payload }),
  };
}

function track(restartOn: (error: Error) => boolean) {
  const consumer = fakeConsumer();
  const restarts: Error[] = [];
  const health = trackHealth(consumer as never, pino({ level: 'silent' }), (error) => {
    if (!restartOn(error)) return false;
    restarts.push(error);
    return true;
  });
  health.setRunning(true);
  consumer.emit(consumer.events.GROUP_JOIN);
  return { consumer, health, restarts };
}

/** As kafkajs' retrier gives it up (retry/index.js): the error it will not retry, as message and cause. */
function givenUp(error: Error): Error {
  return new (KafkaJSNonRetriableError as new (e: Error, metadata: { cause: Error }) => Error)(error, { cause: error });
}

// kafkajs' typings declare no constructor arguments for this one; its code takes the message (cluster/index.js).
const CoordinatorNotFound = KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error;
const coordinatorNotFound = givenUp(new CoordinatorNotFound('Failed to find group coordinator'));

describe('consumer health', () => {
  it('when kafkajs restarts the consumer after a crash, then it is alive and not running until it joins again', () => {
    const { consumer, health, restarts } = track(isBrokerUnavailable);
    consumer.emit(consumer.events.CRASH, { error: new KafkaJSConnectionError('connect ECONNREFUSED'), restart: true });
    expect(health.isAlive()).toBe(true);
    expect(health.isRunning()).toBe(false);
    expect(restarts).toEqual([]);
    consumer.emit(consumer.events.GROUP_JOIN);
    expect(health.isRunning()).toBe(true);
  });

  it('when kafkajs gives up on a failure of the cluster (no group coordinator yet), then the consumer is started over and stays alive', () => {
    const { consumer, health, restarts } = track(isBrokerUnavailable);
    consumer.emit(consumer.events.CRASH, { error: coordinatorNotFound, restart: false });
    expect(restarts).toEqual([coordinatorNotFound]);
    expect(health.isAlive()).toBe(true);
    expect(health.isRunning()).toBe(false);
  });

  it('when kafkajs gives up on an error of ours, then the consumer is dead (for the liveness probe)', () => {
    const { consumer, health, restarts } = track(isBrokerUnavailable);
    const bug = givenUp(new TypeError('processed-event store is broken'));
    consumer.emit(consumer.events.CRASH, { error: bug, restart: false });
    expect(restarts).toEqual([]);
    expect(health.isAlive()).toBe(false);
  });

  it('when the consumer is not meant to run (never started, or stopping), then a fatal crash does not make it dead', () => {
    const { consumer, health } = track(() => false);
    health.setRunning(false);
    consumer.emit(consumer.events.CRASH, { error: new Error('gone'), restart: false });
    expect(health.isAlive()).toBe(true);
  });
});
