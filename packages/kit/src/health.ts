import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/** Resolves when the dependency is usable; throws (or resolves false) when it is not. */
export type HealthCheck = () => Promise<boolean | void>;

export interface HealthRegistry {
  /**
   * Adds a dependency that /health/ready checks: only what serving HTTP needs (the database, Redis), so that every
   * replica answers the same. Kafka is not one: writes wait in the outbox while the broker is away.
   */
  register(name: string, check: HealthCheck): void;
  /**
   * Adds a check that /health/live runs: something broken for good inside this process (a consumer kafkajs will not
   * restart), which only a restart fixes. Never a dependency that may come back by itself.
   */
  registerLiveness(name: string, check: HealthCheck): void;
  /** Runs every readiness check (in parallel, each bounded by the timeout). */
  check(): Promise<ReadinessReport>;
  /** Runs every liveness check. */
  checkLiveness(): Promise<ReadinessReport>;
}

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

declare module 'fastify' {
  interface FastifyInstance {
    health: HealthRegistry;
  }
}

export interface HealthOptions {
  checkTimeoutMs?: number;
}

function withTimeout(check: HealthCheck, timeoutMs: number): Promise<boolean | void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

async function runChecks(checks: Map<string, HealthCheck>, checkTimeoutMs: number): Promise<ReadinessReport> {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]) => {
      try {
        const ok = (await withTimeout(check, checkTimeoutMs)) !== false;
        return [name, ok ? { status: 'up' as const } : { status: 'down' as const, error: 'check failed' }] as const;
      } catch (err) {
        return [name, { status: 'down' as const, error: (err as Error).message }] as const;
      }
    }),
  );
  const report = Object.fromEntries(entries);
  const ok = entries.every(([, result]) => result.status === 'up');
  return { status: ok ? 'ok' : 'unavailable', checks: report };
}

export function createHealthRegistry(checkTimeoutMs = 2_000): HealthRegistry {
  const readiness = new Map<string, HealthCheck>();
  const liveness = new Map<string, HealthCheck>();
  return {
    register(name, check) {
      readiness.set(name, check);
    },
    registerLiveness(name, check) {
      liveness.set(name, check);
    },
    check: () => runChecks(readiness, checkTimeoutMs),
    checkLiveness: () => runChecks(liveness, checkTimeoutMs),
  };
}

const reportSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { status: { type: 'string', enum: ['up', 'down'] }, error: { type: 'string' } },
      },
    },
  },
} as const;

/**
 * /health/live answers as long as the event loop runs and nothing inside the process is broken for good
 * (restart me if not); /health/ready answers 503 naming the dependency that is down (send me no traffic).
 */
async function healthPlugin(app: FastifyInstance, options: HealthOptions): Promise<void> {
  app.decorate('health', createHealthRegistry(options.checkTimeoutMs));

  app.get(
    '/health/live',
    { logLevel: 'warn', schema: { hide: true, response: { 200: reportSchema, 503: reportSchema } } },
    async function live(_request, reply) {
      const report = await app.health.checkLiveness();
      return reply.code(report.status === 'ok' ? 200 : 503).send(report);
    },
  );

  app.get(
    '/health/ready',
    { logLevel: 'warn', schema: { hide: true, response: { 200: reportSchema, 503: reportSchema } } },
    async function ready(_request, reply) {
      const report = await app.health.check();
      return reply.code(report.status === 'ok' ? 200 : 503).send(report);
    },
  );
}

export const health = fp(healthPlugin, { name: 'kit-health', fastify: '5.x' });
