import type { FastifyInstance } from 'fastify';
import { uniqueName } from '@platform/test-kit';

export const strongPassword = 'correct-Horse-battery-9';

/** A unique address per call, so tests sharing a database and a Redis never meet. */
export function newEmail(prefix = 'user'): string {
  return `${uniqueName(prefix)}@example.com`;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export function register(app: FastifyInstance, email: string, password = strongPassword) {
  return app.inject({ method: 'POST', url: '/auth/register', payload: { email, password } });
}

export function login(app: FastifyInstance, email: string, password = strongPassword) {
  return app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
}

export interface SessionBody {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
  refreshTokenExpiresAt: string;
}

/** Registers a customer and logs in; returns the user id and the session. */
export async function registerAndLogin(
  app: FastifyInstance,
  email = newEmail(),
): Promise<{ userId: string; email: string; session: SessionBody }> {
  const registered = await register(app, email);
  if (registered.statusCode !== 201) throw new Error(`register failed: ${registered.body}`);
  const loggedIn = await login(app, email);
  if (loggedIn.statusCode !== 200) throw new Error(`login failed: ${loggedIn.body}`);
  return { userId: registered.json<{ id: string }>().id, email, session: loggedIn.json<SessionBody>() };
}
