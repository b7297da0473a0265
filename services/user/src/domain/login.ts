import { AccountLocked, InvalidCredentials } from '../errors';
import { normaliseEmail } from './email';
import { issueSession, type Session, type SessionDeps } from './sessions';
import type { LoginThrottle, PasswordHasher } from './ports';

/** 5 failures within 15 minutes lock the email, for the address they came from, for 15 minutes. */
export const lockoutPolicy = { maxFailures: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 } as const;

export interface LoginDeps extends SessionDeps {
  passwords: PasswordHasher;
  throttle: LoginThrottle;
}

/**
 * Checks the credentials and opens a session. Every refusal looks the same whether or not the email has an
 * account: one error code, a real or dummy argon2 verification either way, and the lockout counted per email.
 * The lockout is per email and client address: whoever guesses is locked out, not the account's owner logging
 * in from elsewhere (a lockout per email alone let anyone lock anyone out for 15 minutes). Guessing from many
 * addresses is bounded by the gateway's limit per address and account on top.
 */
export async function login(
  credentials: { email: string; password: string },
  clientIp: string,
  deps: LoginDeps,
): Promise<Session> {
  const email = normaliseEmail(credentials.email);
  const lockedFor = await deps.throttle.lockedFor(email, clientIp);
  if (lockedFor > 0) {
    const user = await deps.users.findByEmail(email);
    deps.audit.record({ action: 'login', outcome: 'locked', targetId: user?.id ?? null });
    throw lockedError(lockedFor);
  }

  const user = await deps.users.findByEmail(email);
  const valid = user
    ? await deps.passwords.verify(user.passwordHash, credentials.password)
    : await deps.passwords.verifyDummy(credentials.password).then(() => false);
  if (!user || !valid) {
    const reason = user ? 'wrong_password' : 'unknown_email';
    deps.audit.record({ action: 'login', outcome: 'failed', targetId: user?.id ?? null, reason });
    if (await deps.throttle.recordFailure(email, clientIp)) {
      deps.audit.record({ action: 'lockout', outcome: 'locked', targetId: user?.id ?? null });
    }
    throw InvalidCredentials();
  }

  await deps.throttle.reset(email, clientIp);
  await deps.refreshTokens.deleteExpired(user.id, deps.now?.() ?? new Date());
  const session = await issueSession(user, deps);
  deps.audit.record({ action: 'login', outcome: 'ok', actorId: user.id, targetId: user.id });
  return session;
}

function lockedError(seconds: number) {
  return AccountLocked(`try again in ${seconds} seconds`, { headers: { 'retry-after': String(seconds) } });
}
