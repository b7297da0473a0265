import { Kafka, logLevel, type KafkaConfig, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';
import { patchRequestQueue } from './request-queue-patch';

// Before any client exists: kafkajs' idle connections otherwise spin a 1 ms timer (see request-queue-patch.ts).
patchRequestQueue();

export interface CreateKafkaOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** Escape hatch for SSL/SASL or tuning; merged over the kit's defaults. */
  config?: Partial<Omit<KafkaConfig, 'clientId' | 'brokers' | 'logCreator'>>;
}

/**
 * Roughly 0.25 s, 0.5 s, 1 s, 2 s, 2 s: about six seconds before a connection attempt gives up. Whoever asked then
 * retries on its own terms (a consumer restarts itself, the relay's sweep comes back), so the delay between the
 * broker returning and work resuming stays at a couple of seconds instead of growing towards kafkajs' 30 s cap.
 */
export const CLUSTER_RETRY = { initialRetryTime: 250, maxRetryTime: 2_000, retries: 5 };

/**
 * For a client that only produces: one quick reconnection attempt inside kafkajs, because each send's own retries
 * (see producer.ts) wrap it, and nested retries would multiply into a publish that hangs through an outage.
 */
export const PRODUCER_CLUSTER_RETRY = { initialRetryTime: 100, maxRetryTime: 500, retries: 1 };

/**
 * One Kafka client per service; producers, consumers and the admin are created from it.
 * kafkajs logs through the service's pino logger, so its lines carry the same JSON shape, level names
 * and redaction as everything else instead of going to stdout in kafkajs' own format.
 */
export function createKafka({ clientId, brokers, logger, config }: CreateKafkaOptions): Kafka {
  return new Kafka({
    clientId,
    brokers,
    // Fail a connection attempt fast and let the retrier try again, rather than hang a start-up or a health check.
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: CLUSTER_RETRY,
    logLevel: kafkaLogLevel(logger.level),
    logCreator: pinoLogCreator(logger.child({ component: 'kafkajs' })),
    ...config,
  });
}

/** Asks kafkajs for no more detail than pino would print anyway: its debug output is voluminous. */
function kafkaLogLevel(pinoLevel: string): logLevel {
  switch (pinoLevel) {
    case 'trace':
    case 'debug':
      return logLevel.DEBUG;
    case 'info':
      return logLevel.INFO;
    case 'warn':
      return logLevel.WARN;
    case 'silent':
      return logLevel.NOTHING;
    default:
      return logLevel.ERROR;
  }
}

/**
 * Warnings kafkajs repeats on every start about settings we chose on purpose; logged at debug so a real warning
 * stands out. Each entry says where the choice is explained.
 */
const EXPECTED_WARNINGS = new Set([
  // Bounded producer retries: see createIdempotentProducer in producer.ts.
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

function pinoLogCreator(logger: Logger): logCreator {
  return function createLogFunction() {
    return function logKafkaEntry({ namespace, level, log }: LogEntry): void {
      // kafkajs adds its own timestamp and `logger: 'kafkajs'`; pino already records the time and the component.
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const entry = { namespace, ...fields };
      switch (level) {
        case logLevel.ERROR:
          logger.error(entry, message);
          break;
        case logLevel.WARN:
          if (EXPECTED_WARNINGS.has(message)) logger.debug(entry, message);
          else logger.warn(entry, message);
          break;
        case logLevel.INFO:
          logger.info(entry, message);
          break;
        default:
          logger.debug(entry, message);
      }
    };
  };
}
