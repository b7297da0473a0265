import { isAppError } from '@platform/kit';
import { EmailTaken } from '../errors';
import { normaliseEmail } from './email';
import { registerUser, type RegisterDeps } from './register-user';
import { changeRole } from './users';

export type EnsureAdminOutcome = 'created' | 'promoted' | 'unchanged';

/**
 * The first admin comes from configuration (ADMIN_EMAIL / ADMIN_PASSWORD), since nobody could promote anyone
 * otherwise. Runs at every start-up and changes nothing once the admin exists; an existing account is promoted
 * but keeps its own password. Replicas starting together may race to create it: the loser promotes instead.
 */
export async function ensureAdmin(
  admin: { email: string; password: string },
  deps: RegisterDeps,
): Promise<EnsureAdminOutcome> {
  const email = normaliseEmail(admin.email);
  let existing = await deps.users.findByEmail(email);
  if (existing?.role === 'admin') return 'unchanged';
  if (!existing) {
    try {
      await registerUser({ email, password: admin.password }, deps, 'admin');
      return 'created';
    } catch (err) {
      if (!(isAppError(err) && err.code === EmailTaken.code)) throw err;
    }
    existing = await deps.users.findByEmail(email);
    if (!existing) throw new Error(`admin ${email} vanished during start-up`);
    if (existing.role === 'admin') return 'unchanged';
  }
  await changeRole({ actorId: 'system', userId: existing.id, role: 'admin' }, deps);
  return 'promoted';
}
