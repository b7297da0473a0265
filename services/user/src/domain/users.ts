import { CannotDemoteSelf, UserNotFound } from '../errors';
import { decodeCursor, encodeCursor } from './cursor';
import type { AuditTrail, UserRepository } from './ports';
import type { Role, User, UserPage } from './user';

export async function getUser(id: string, deps: { users: UserRepository }): Promise<User> {
  const user = await deps.users.findById(id);
  if (!user) throw UserNotFound(`no user ${id}`);
  return user;
}

export interface ListUsersQuery {
  limit: number;
  cursor?: string;
  role?: Role;
}

/** A page of users, newest first; `nextCursor` is null on the last page. */
export async function listUsers(query: ListUsersQuery, deps: { users: UserRepository }): Promise<UserPage> {
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  // One extra item tells whether another page exists without counting.
  const found = await deps.users.list({ role: query.role, after, limit: query.limit + 1 });
  const items = found.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: found.length > query.limit && last ? encodeCursor(last) : null };
}

export interface ChangeRoleInput {
  /** The admin making the change; `system` for configuration-driven changes. */
  actorId: string;
  userId: string;
  role: Role;
}

/**
 * Sets a user's role. An admin may not demote themselves, so the platform always keeps at least the admin who
 * acts; demoting another admin is allowed. Access tokens already issued keep their role until they expire
 * (at most ACCESS_TOKEN_TTL_SECONDS); the next refresh carries the new one.
 */
export async function changeRole(
  input: ChangeRoleInput,
  deps: { users: UserRepository; audit: AuditTrail },
): Promise<User> {
  if (input.actorId === input.userId && input.role !== 'admin') {
    throw CannotDemoteSelf('ask another admin to change your role');
  }
  const before = await deps.users.setRole(input.userId, input.role);
  if (!before) throw UserNotFound(`no user ${input.userId}`);
  deps.audit.record({
    action: 'role_change',
    outcome: 'ok',
    actorId: input.actorId,
    targetId: input.userId,
    from: before.role,
    to: input.role,
  });
  return { ...before, role: input.role };
}
