import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/** Resolves when the dependency is usable; throws (or resolves false) when it is not. */
export type HealthCheck = () => Promise<boolean | void>;

export interface HealthRegistry {
  /**
   * Adds a dependency that /health/ready checks. By default it decides readiness: only what serving HTTP needs at
   * all (the database), so that every replica answers the same. `{ decides: false }` reports the dependency in the
   * answer without taking the replica out of its Service: Redis, whose outage each concern handles per request
   * (fail open or 503, docs/reliability.md), where an unready replica would refuse every request. Kafka is not
   * checked at all: writes wait in the outbox while the broker is away.
   */
  register(name: string, check: HealthCheck, options?: { decides?: boolean }): void;
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
  /** 'ok' when every check that decides is up; a dependency that does not decide is listed, down or not. */
  status: 'ok' | 'unavailable';
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

interface RegisteredCheck {
  check: HealthCheck;
  decides: boolean;
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

async function runChecks(checks: Map<string, RegisteredCheck>, checkTimeoutMs: number): Promise<ReadinessReport> {
  const entries = await Promise.all(
    [...checks].map(async ([name, { check, decides }]) => {
      try {
        const ok = (await withTimeout(check, checkTimeoutMs)) !== false;
        const result = ok ? { status: 'up' as const } : { status: 'down' as const, error: 'check failed' };
        return { name, decides, result };
      } catch (err) {
        return { name, decides, result: { status: 'down' as const, error: (err as Error).message } };
      }
    }),
  );
  const report = Object.fromEntries(entries.map(({ name, result }) => [name, result]));
  const ok = entries.every(({ decides, result }) => !decides || result.status === 'up');
  return { status: ok ? 'ok' : 'unavailable', checks: report };
}

export function createHealthRegistry(checkTimeoutMs = 2_000): HealthRegistry {
  const readiness = new Map<string, RegisteredCheck>();
  const liveness = new Map<string, RegisteredCheck>();
  return {
    register(name, check, options) {
      readiness.set(name, { check, decides: options?.decides ?? true });
    },
    registerLiveness(name, check) {
      liveness.set(name, { check, decides: true });
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
 * (restart me if not); /health/ready answers 503 naming the dependency that is down (send me no traffic), and lists the state of the
 * dependencies that do not decide it.
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
