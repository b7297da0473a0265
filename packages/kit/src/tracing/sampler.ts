import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace';

/** The OTEL_TRACES_SAMPLER values of the OpenTelemetry specification that make sense without a remote sampler. */
export const samplerNames = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

function ratio(arg: string | undefined): number {
  if (arg === undefined || arg.trim() === '') return 1;
  const value = Number(arg);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${arg}"`);
  }
  return value;
}

/**
 * The sampler named by OTEL_TRACES_SAMPLER with OTEL_TRACES_SAMPLER_ARG as its ratio, as the specification's
 * environment variables define them. SDK 3 no longer reads them itself. The default, parent-based with ratio 1,
 * keeps every trace a caller started or sampled, and lets a deployment sample new traces down with one variable
 * (e.g. OTEL_TRACES_SAMPLER_ARG=0.1) while a trace crossing services is kept or dropped as a whole.
 * An unknown name stops the process at start, like any other bad configuration.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_traceidratio').trim().toLowerCase();
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio(env.OTEL_TRACES_SAMPLER_ARG));
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio(env.OTEL_TRACES_SAMPLER_ARG)) });
    default:
      throw new Error(`OTEL_TRACES_SAMPLER must be one of ${samplerNames.join(', ')}, got "${name}"`);
  }
}
