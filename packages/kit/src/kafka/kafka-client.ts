import { Kafka, logLevel, type KafkaConfig, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

export interface CreateKafkaOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** Escape hatch for SSL/SASL or tuning; merged over the kit's defaults. */
  config?: Partial<Omit<KafkaConfig, 'clientId' | 'brokers' | 'logCreator'>>;
}

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
    // Roughly 0.3 s, 0.6 s, 1.2 s ... capped at 30 s, about two minutes in all: rides out a broker restart or a
    // leader election without giving up, but does not retry forever behind a wrong address.
    retry: { initialRetryTime: 300, maxRetryTime: 30_000, retries: 8 },
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
