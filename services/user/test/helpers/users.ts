import type { FastifyInstance } from 'fastify';
import { uniqueName } from '@platform/test-kit';
import { usersCollection } from '../../src/data-access/user-model';

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
  const userId = await registerUser(app, email);
  const loggedIn = await login(app, email);
  if (loggedIn.statusCode !== 200) throw new Error(`login failed: ${loggedIn.body}`);
  return { userId, email, session: loggedIn.json<SessionBody>() };
}

/** Registers a new account and returns its id, read from the database: the API does not say (see sign-up). */
export async function registerUser(
  app: FastifyInstance,
  email = newEmail(),
  password = strongPassword,
): Promise<string> {
  const registered = await register(app, email, password);
  if (registered.statusCode !== 202) throw new Error(`register failed: ${registered.body}`);
  const stored = await app.mongo.collection(usersCollection).findOne({ email: email.trim().toLowerCase() });
  if (!stored) throw new Error(`register of ${email} stored no account`);
  return stored._id.toHexString();
}
