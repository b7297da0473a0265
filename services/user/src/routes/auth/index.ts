import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { login } from '../../domain/login';
import { logout } from '../../domain/logout';
import { registerUser } from '../../domain/register-user';
import { refreshSession, type Session, type SessionDeps } from '../../domain/sessions';
import { Credentials, NewAccount, RefreshBody, Session as SessionSchema } from '../../schemas/auth';
import { NoContent, createDenyList } from '@platform/kit';
import { problems } from '../../schemas/problem';
import { User } from '../../schemas/users';
import { toUserDto } from '../users/dto';

/** Tokens must never sit in a browser or proxy cache (RFC 6749 §5.1). */
function sendSession(reply: FastifyReply, session: Session) {
  return reply.header('cache-control', 'no-store').send({
    ...session,
    refreshTokenExpiresAt: session.refreshTokenExpiresAt.toISOString(),
  });
}

export default async function authRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const denyList = createDenyList(app.redis);

  function sessionDeps(request: FastifyRequest): SessionDeps {
    return {
      users: app.users,
      refreshTokens: app.refreshTokens,
      accessTokens: app.accessTokens,
      refreshTokenTtlMs: app.refreshTokenTtlMs,
      audit: app.auditTrail(request.log),
    };
  }

  app.post(
    '/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a customer account',
        body: NewAccount,
        response: { 201: User, ...problems(400, 409) },
      },
    },
    async function register(request, reply) {
      const user = await registerUser(request.body, {
        users: app.users,
        passwords: app.passwords,
        audit: app.auditTrail(request.log),
      });
      return reply.code(201).send(toUserDto(user));
    },
  );

  app.post(
    '/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for an access token and a refresh token',
        body: Credentials,
        response: { 200: SessionSchema, ...problems(400, 401, 423) },
      },
    },
    async function loginRoute(request, reply) {
      const session = await login(request.body, {
        ...sessionDeps(request),
        passwords: app.passwords,
        throttle: app.loginThrottle,
      });
      return sendSession(reply, session);
    },
  );

  app.post(
    '/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Rotate a refresh token: returns a new access token and a new refresh token',
        body: RefreshBody,
        response: { 200: SessionSchema, ...problems(400, 401) },
      },
    },
    async function refresh(request, reply) {
      return sendSession(reply, await refreshSession(request.body.refreshToken, sessionDeps(request)));
    },
  );

  app.post(
    '/logout',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ['auth'],
        summary: 'Revoke the session of this refresh token and the access token in use',
        security: [{ bearerAuth: [] }],
        body: RefreshBody,
        response: { 204: NoContent, ...problems(400, 401) },
      },
    },
    async function logoutRoute(request, reply) {
      const { userId, jti, exp } = request.principal!;
      await logout(
        { userId, jti, exp, refreshToken: request.body.refreshToken },
        { refreshTokens: app.refreshTokens, denyList, audit: app.auditTrail(request.log) },
      );
      return reply.code(204).send(null);
    },
  );
}
