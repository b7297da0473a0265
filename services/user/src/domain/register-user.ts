import { eventEntry } from '@platform/kit/core';
import { eventCatalogue, EventTypes, type UserRegisteredV1 } from '@platform/events';
import { assertContractEmail, normaliseEmail } from './email';
import { assertStrongPassword } from './password-policy';
import type { AuditTrail, PasswordHasher, UserRepository } from './ports';
import type { Role, User } from './user';

export interface RegisterDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  audit: AuditTrail;
  now?: () => Date;
}

/**
 * Creates an account and, in the same document write, the `user.registered` event the outbox relay publishes.
 * The role is `customer` for self-registration; only the admin bootstrap passes `admin`.
 */
export async function registerUser(
  input: { email: string; password: string },
  deps: RegisterDeps,
  role: Role = 'customer',
): Promise<User> {
  const email = normaliseEmail(input.email);
  assertContractEmail(email);
  assertStrongPassword(input.password, email);
  const user: User = { id: deps.users.nextId(), email, role, createdAt: deps.now?.() ?? new Date() };
  const payload: UserRegisteredV1 = {
    userId: user.id,
    email,
    role,
    registeredAt: user.createdAt.toISOString(),
  };
  const entry = eventEntry(eventCatalogue, EventTypes.UserRegistered, user.id, payload, { occurredAt: user.createdAt });
  await deps.users.insert({ ...user, passwordHash: await deps.passwords.hash(input.password) }, [entry]);
  deps.audit.record({ action: 'register', outcome: 'ok', actorId: user.id, targetId: user.id });
  return user;
}
