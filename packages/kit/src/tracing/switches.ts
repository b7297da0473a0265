/**
 * Which instrumentations run: light enough for the app to ask (the kit's HTTP server span), while the
 * instrumentations themselves are loaded by sdk.ts only. `http` is the kit's own server span (server-span.ts),
 * `undici` its HTTP client's span (client-span.ts).
 */
export const INSTRUMENTATION_NAMES = ['http', 'undici', 'mongodb', 'ioredis', 'kafkajs'] as const;

export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

/**
 * Every instrumentation but those named in OTEL_NODE_DISABLED_INSTRUMENTATIONS (comma-separated short names, as
 * @opentelemetry/auto-instrumentations-node reads it: `ioredis,undici`); none with OTEL_SDK_DISABLED=true. An
 * unknown name is an error, not a no-op.
 */
export function enabledInstrumentations(env: NodeJS.ProcessEnv): InstrumentationName[] {
  const disabled = (env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = disabled.filter((name) => !(INSTRUMENTATION_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `OTEL_NODE_DISABLED_INSTRUMENTATIONS: unknown instrumentation(s) ${unknown.join(', ')} (known: ${INSTRUMENTATION_NAMES.join(', ')})`,
    );
  }
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return [];
  return INSTRUMENTATION_NAMES.filter((name) => !disabled.includes(name));
}
