import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, NoopSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { mongoStatementShape } from './db-statement';
import { samplerFromEnv } from './sampler';
import { enabledInstrumentations, type InstrumentationName } from './switches';

/**
 * The instrumentations the SDK loads; the kit makes the HTTP spans itself: the server span in its app
 * (server-span.ts), the client span in its HTTP client (client-span.ts).
 */
const instrumentations: Record<Exclude<InstrumentationName, 'http' | 'undici'>, () => Instrumentation> = {
  mongodb: () => new MongoDBInstrumentation({ dbStatementSerializer: mongoStatementShape }),
  ioredis: () => new IORedisInstrumentation(),
  kafkajs: () => new KafkaJsInstrumentation(),
};

let provider: TracerProvider | undefined;
let unregister: (() => void) | undefined;

/**
 * Starts OpenTelemetry before any instrumented module is loaded (see register.ts, used with `node --import`).
 *
 * Traces only: metrics go through prom-client and /metrics, logs through pino and stdout, so no metrics or logs
 * SDK is loaded (the all-in-one NodeSDK would load both). One span per database operation: the mongodb driver
 * is instrumented, mongoose is not (it would trace every query a second time). The HTTP server span is the kit's
 * own (server-span.ts, made by the app's server), not @opentelemetry/instrumentation-http's: that one patched every
 * request and response emitter and computed a dozen attributes even for spans never recorded, and cost the
 * gateway a quarter of its CPU per proxied request. Likewise @opentelemetry/instrumentation-undici's client span
 * (client-span.ts says what it cost). Fastify's route names the span (`http.route`), not a per-hook
 * instrumentation.
 *
 * Without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported, so nothing is recorded either (a span built only to be
 * dropped cost the gateway about a tenth of its CPU): every span is a non-recording one, which still has its trace
 * id, so trace ids reach the logs and `traceparent` travels on to HTTP upstreams and in Kafka message headers.
 * With an endpoint the sampler follows OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (see sampler.ts).
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): TracerProvider | undefined {
  if (provider) return provider;
  // The specification's switch: no SDK, no instrumentation; the API's no-op tracer answers every call.
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? env.SERVICE_NAME ?? 'unknown-service',
    }),
    sampler: endpoint ? samplerFromEnv(env) : new AlwaysOffSampler(),
    spanProcessors: [
      endpoint ? new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }) : new NoopSpanProcessor(),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: enabledInstrumentations(env)
      .filter((name): name is keyof typeof instrumentations => name in instrumentations)
      .map((name) => instrumentations[name]()),
  });
  return provider;
}

/** Flushes buffered spans; called last during graceful shutdown. */
export async function shutdownTracing(): Promise<void> {
  const current = provider;
  provider = undefined;
  unregister?.();
  unregister = undefined;
  await current?.shutdown();
}
