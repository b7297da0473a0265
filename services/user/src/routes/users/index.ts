import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { changeRole, getUser, listUsers } from '../../domain/users';
import { problems } from '../../schemas/problem';
import { ChangeRoleBody, ListUsersQuery, User, UserPage, UserParams } from '../../schemas/users';
import { toUserDto } from './dto';

export default async function userRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const adminOnly = [app.authenticate, app.requireRole('admin')];

  app.get(
    '/me',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'The account of the caller',
        security: [{ bearerAuth: [] }],
        response: { 200: User, ...problems(401, 404) },
      },
    },
    async function me(request) {
      return toUserDto(await getUser(request.principal!.userId, { users: app.users }));
    },
  );

  app.get(
    '/',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'List accounts, newest first (admin)',
        security: [{ bearerAuth: [] }],
        querystring: ListUsersQuery,
        response: { 200: UserPage, ...problems(400, 401, 403) },
      },
    },
    async function list(request) {
      const page = await listUsers(request.query, { users: app.users });
      return { items: page.items.map(toUserDto), nextCursor: page.nextCursor };
    },
  );

  app.patch(
    '/:id/role',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: "Change a user's role (admin); admins cannot demote themselves",
        security: [{ bearerAuth: [] }],
        params: UserParams,
        body: ChangeRoleBody,
        response: { 200: User, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async function setRole(request) {
      const user = await changeRole(
        { actorId: request.principal!.userId, userId: request.params.id, role: request.body.role },
        { users: app.users, audit: app.auditTrail(request.log) },
      );
      return toUserDto(user);
    },
  );
}
