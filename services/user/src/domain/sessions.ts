import { randomUUID } from 'node:crypto';
import { InvalidRefreshToken, RefreshTokenReused } from '../errors';
import { hashRefreshToken, newRefreshToken } from './refresh-tokens';
import type { AccessTokenSigner, AuditTrail, RefreshTokenRepository, UserRepository } from './ports';
import type { User } from './user';

/** What a client receives after logging in or refreshing. */
export interface Session {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds the access token is valid. */
  expiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export interface SessionDeps {
  users: UserRepository;
  refreshTokens: RefreshTokenRepository;
  accessTokens: AccessTokenSigner;
  refreshTokenTtlMs: number;
  audit: AuditTrail;
  now?: () => Date;
}

/**
 * A new access token plus a refresh token in the given family (a family is one login: every rotation of its
 * refresh token stays in it, so reuse of any old one can revoke all of them).
 */
export async function issueSession(user: User, deps: SessionDeps, familyId: string = randomUUID()): Promise<Session> {
  const now = deps.now?.() ?? new Date();
  const access = await deps.accessTokens.sign({ userId: user.id, role: user.role });
  const { token, tokenHash } = newRefreshToken();
  const expiresAt = new Date(now.getTime() + deps.refreshTokenTtlMs);
  await deps.refreshTokens.insert({ tokenHash, familyId, userId: user.id, expiresAt });
  return {
    accessToken: access.token,
    tokenType: 'Bearer',
    expiresIn: access.expiresIn,
    refreshToken: token,
    refreshTokenExpiresAt: expiresAt,
  };
}

/**
 * Rotates a refresh token: the presented one is marked used and a new one of the same family is issued.
 * A token that was already used has been copied (stolen, or replayed by a broken client): the whole family is
 * revoked, so neither the thief nor the victim can continue that session and the user has to log in again.
 *
 * Two presentations of one token at once are such a reuse: the conditional update lets exactly one consume it, and
 * the other revokes the family. The winner's new token must not outlive that revocation, whichever way the two
 * interleave, so the family is checked after the consume (a revocation that came first) and again once the new
 * token exists (a revocation that came meanwhile; any later one revokes the new token with the rest). A token of
 * a revoked family is never honoured, even if a revocation raced past its insertion.
 */
export async function refreshSession(refreshToken: string, deps: SessionDeps): Promise<Session> {
  const now = deps.now?.() ?? new Date();
  const tokenHash = hashRefreshToken(refreshToken);
  const consumed = await deps.refreshTokens.consume(tokenHash, now);
  if (!consumed) {
    const known = await deps.refreshTokens.find(tokenHash);
    if (known?.usedAt) await revokeReusedFamily(known, deps, now);
    throw InvalidRefreshToken();
  }
  if (await deps.refreshTokens.familyRevoked(consumed.familyId)) await revokeReusedFamily(consumed, deps, now);
  // The role is read again: a promotion or demotion takes effect at the next refresh.
  const user = await deps.users.findById(consumed.userId);
  if (!user) throw InvalidRefreshToken('the account no longer exists');
  const session = await issueSession(user, deps, consumed.familyId);
  if (await deps.refreshTokens.familyRevoked(consumed.familyId)) await revokeReusedFamily(consumed, deps, now);
  return session;
}

async function revokeReusedFamily(
  token: { familyId: string; userId: string },
  deps: SessionDeps,
  now: Date,
): Promise<never> {
  await deps.refreshTokens.revokeFamily(token.familyId, now);
  deps.audit.record({ action: 'refresh_token_reuse', outcome: 'revoked', targetId: token.userId });
  throw RefreshTokenReused();
}
