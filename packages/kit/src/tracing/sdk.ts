import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { MongooseInstrumentation } from '@opentelemetry/instrumentation-mongoose';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';

/** Paths that would only add noise to traces: probes and scrapes. */
const untracedPaths = /^\/(health\/(live|ready)|metrics)(\?|$)/;

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry before any instrumented module is loaded (see register.ts, used with `node --import`).
 * Without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported, but context still propagates: trace ids reach
 * the logs and `traceparent` travels on to HTTP upstreams and in Kafka message headers.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): NodeSDK {
  if (sdk) return sdk;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? env.SERVICE_NAME ?? 'unknown-service',
    // A tracer provider is always installed (a no-op processor when there is nowhere to export), so spans
    // and their ids exist for log correlation and propagation even without a trace backend.
    spanProcessors: [
      endpoint ? new tracing.BatchSpanProcessor(new OTLPTraceExporter()) : new tracing.NoopSpanProcessor(),
    ],
    // Metrics go through prom-client and /metrics, logs through pino and stdout: OTel only carries traces.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => untracedPaths.test(req.url ?? ''),
      }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        ignorePaths: (route) => untracedPaths.test(route.url),
      }),
      new UndiciInstrumentation(),
      new MongoDBInstrumentation(),
      new MongooseInstrumentation(),
      new IORedisInstrumentation(),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  return sdk;
}

/** Flushes buffered spans; called last during graceful shutdown. */
export async function shutdownTracing(): Promise<void> {
  const current = sdk;
  sdk = undefined;
  await current?.shutdown();
}
