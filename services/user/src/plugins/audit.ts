import fp from 'fastify-plugin';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { getOrCreate, writeAudit } from '@platform/kit';
import type { AuditTrail } from '../domain/ports';
import type { AuditEntry } from '../domain/user';

declare module 'fastify' {
  interface FastifyInstance {
    /** The audit trail written to this logger (pass `request.log` to keep the request and trace ids). */
    auditTrail(log: FastifyBaseLogger): AuditTrail;
  }
}

/**
 * Audit lines are the security record (who logged in, failed, got locked out, changed a role); the business
 * metrics count the same facts, so they are recorded in one place and cannot drift apart.
 */
async function auditPlugin(app: FastifyInstance): Promise<void> {
  const registrations = getOrCreate(
    app.metrics,
    'user_registrations_total',
    () => new Counter({ name: 'user_registrations_total', help: 'Accounts registered', registers: [app.metrics] }),
  );
  const logins = getOrCreate(
    app.metrics,
    'user_logins_total',
    () =>
      new Counter({
        name: 'user_logins_total',
        help: 'Login attempts by outcome (ok, failed, locked)',
        labelNames: ['outcome'],
        registers: [app.metrics],
      }),
  );

  app.decorate('auditTrail', function auditTrail(log: FastifyBaseLogger): AuditTrail {
    return {
      record(entry: AuditEntry) {
        writeAudit(log, entry);
        if (entry.action === 'register' && entry.outcome === 'ok') registrations.inc();
        if (entry.action === 'login') logins.inc({ outcome: entry.outcome });
      },
    };
  });
}

export const audit = fp(auditPlugin, { name: 'user-audit', dependencies: ['kit-metrics'] });
