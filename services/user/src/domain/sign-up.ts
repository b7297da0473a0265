import { isAppError } from '@platform/kit/core';
import { EmailTaken } from '../errors';
import { normaliseEmail } from './email';
import { registerUser, type RegisterDeps } from './register-user';

/**
 * Self-registration that does not tell a stranger whether an address has an account: a new address gets one, a
 * taken address changes nothing, and the caller cannot tell the two apart. Same answer, and the same work (the
 * password is hashed before the insert finds the address taken, so the time is that of a real registration).
 * The owner of a taken address simply logs in; the attempt is in the audit trail (`register` `duplicate`).
 * The password rules still answer WEAK_PASSWORD: they depend on the input only, never on stored accounts.
 */
export async function signUp(input: { email: string; password: string }, deps: RegisterDeps): Promise<void> {
  try {
    await registerUser(input, deps);
  } catch (err) {
    if (!(isAppError(err) && err.code === EmailTaken.code)) throw err;
    const existing = await deps.users.findByEmail(normaliseEmail(input.email));
    deps.audit.record({ action: 'register', outcome: 'duplicate', targetId: existing?.id ?? null });
  }
}
