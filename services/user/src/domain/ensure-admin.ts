import { isAppError } from '@platform/kit/core';
import { EmailTaken } from '../errors';
import { normaliseEmail } from './email';
import { registerUser, type RegisterDeps } from './register-user';
import { changeRole } from './users';

/** `refused`: an account with that email exists and its password is not the configured one; it stays as it is. */
export type EnsureAdminOutcome = 'created' | 'promoted' | 'unchanged' | 'refused';

/**
 * The first admin comes from configuration (ADMIN_EMAIL / ADMIN_PASSWORD), since nobody could promote anyone
 * otherwise. Runs at every start-up and changes nothing once the admin exists. An existing customer account with
 * that email is promoted only if its password is the configured one, i.e. only if the operator owns it: whoever
 * registered the address first must not become admin with a password of their own choosing. Replicas starting
 * together may race to create it: the loser finds the account the winner created (same password) and promotes
 * nothing, since the winner created it as admin.
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
  if (!(await deps.passwords.verify(existing.passwordHash, admin.password))) {
    deps.audit.record({
      action: 'admin_bootstrap',
      outcome: 'refused',
      targetId: existing.id,
      reason: 'password_mismatch',
    });
    return 'refused';
  }
  await changeRole({ actorId: 'system', userId: existing.id, role: 'admin' }, deps);
  return 'promoted';
}
