import type { AddressInfo } from 'node:net';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type Joi from 'joi';
import pino from 'pino';
import { ConfigError, loadConfig, type BaseConfig } from './config';
import { startMetricsServer, type MetricsServer } from './metrics';
import { shutdownTracing } from './tracing/sdk';

export interface ServiceDefinition<C extends BaseConfig> {
  configSchema: Joi.ObjectSchema<C>;
  buildApp(config: Readonly<C>): Promise<FastifyInstance>;
}

function loadConfigOrExit<C extends BaseConfig>(schema: Joi.ObjectSchema<C>): Readonly<C> {
  try {
    return loadConfig(schema);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // One line naming every bad variable, then exit 1: the orchestrator shows it as the crash reason.
    pino(pino.destination(2)).fatal({ problems: err.problems }, err.message);
    process.exit(1);
  }
}

/**
 * Everything `server.ts` does: validate config, build the app, listen, expose /metrics on the
 * internal port, and shut down gracefully.
 *
 * Shutdown (SIGTERM/SIGINT): drain for SHUTDOWN_DRAIN_DELAY_MS (readiness 503, every answer closes its
 * kept-alive connection, see drain.ts), then stop accepting connections, let in-flight requests finish, run the
 * plugins' onClose hooks (consumers stop, the producer flushes, DB and Redis close), flush traces,
 * exit 0. A second signal, or SHUTDOWN_TIMEOUT_MS passing (the drain included), exits 1. An uncaught exception or
 * unhandled rejection is logged and then exits 1 after the same bounded clean-up, without the drain.
 */
export async function runService<C extends BaseConfig>(definition: ServiceDefinition<C>): Promise<FastifyInstance> {
  const config = loadConfigOrExit(definition.configSchema);
  const app = await definition.buildApp(config);
  // Assigned once listening; shutdown may run before that (a signal during start-up).
  let metricsServer: MetricsServer | undefined = undefined;

  closeWithGrace(
    {
      delay: config.SHUTDOWN_TIMEOUT_MS,
      logger: {
        error: (msg: unknown) => app.log.error(msg as object),
      },
    },
    async function shutdown({ signal, err }) {
      if (err) app.log.fatal({ err }, 'uncaught error, shutting down');
      else app.log.info({ signal }, 'shutting down');
      if (!err) await app.drain(config.SHUTDOWN_DRAIN_DELAY_MS);
      await app.close();
      await metricsServer?.close();
      await shutdownTracing();
      app.log.info('shutdown complete');
    },
  );

  await app.listen({ host: config.HOST, port: config.PORT });
  metricsServer = await startMetricsServer(app.metrics, config.METRICS_PORT, config.HOST);
  const { port } = app.server.address() as AddressInfo;
  app.log.info({ port, metricsPort: metricsServer.port }, 'service started');
  return app;
}
