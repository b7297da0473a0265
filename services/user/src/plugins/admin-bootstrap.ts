import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ensureAdmin } from '../domain/ensure-admin';

export interface AdminBootstrapOptions {
  email?: string;
  password?: string;
}

/** Ensures the configured first admin before the service reports ready (see domain/ensure-admin). */
async function adminBootstrapPlugin(app: FastifyInstance, options: AdminBootstrapOptions): Promise<void> {
  if (!options.email || !options.password) return;
  const outcome = await ensureAdmin(
    { email: options.email, password: options.password },
    { users: app.users, passwords: app.passwords, audit: app.auditTrail(app.log) },
  );
  if (outcome === 'refused') {
    // The operator must resolve it (another address, or that account's own password); nobody is promoted meanwhile.
    app.log.error(
      { outcome },
      'ADMIN_EMAIL belongs to an account whose password is not ADMIN_PASSWORD: not promoted to admin',
    );
  } else app.log.info({ outcome }, 'configured admin ensured');
}

export const adminBootstrap = fp(adminBootstrapPlugin, {
  name: 'user-admin-bootstrap',
  dependencies: ['user-repositories', 'user-credentials', 'user-audit'],
});
