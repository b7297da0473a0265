import { hashRefreshToken } from './refresh-tokens';
import type { AuditTrail, DenyList, RefreshTokenRepository } from './ports';

export interface LogoutDeps {
  refreshTokens: RefreshTokenRepository;
  denyList: DenyList;
  audit: AuditTrail;
  now?: () => Date;
}

export interface LogoutInput {
  /** From the verified access token of the caller. */
  userId: string;
  jti: string;
  exp: number;
  refreshToken: string;
}

/**
 * Ends the session on both sides: the refresh token's family is revoked (no new access tokens), and the current
 * access token is deny-listed until it expires (every service's verifier checks the list). Idempotent: an unknown,
 * foreign or already revoked refresh token changes nothing but still logs the access token out.
 */
export async function logout(input: LogoutInput, deps: LogoutDeps): Promise<void> {
  const now = deps.now?.() ?? new Date();
  await deps.denyList.add(input.jti, input.exp);
  const token = await deps.refreshTokens.find(hashRefreshToken(input.refreshToken));
  // Only the owner may end a session: a leaked refresh token of someone else must not let a caller log them out.
  if (token && token.userId === input.userId) await deps.refreshTokens.revokeFamily(token.familyId, now);
  deps.audit.record({ action: 'logout', outcome: 'ok', actorId: input.userId, targetId: input.userId });
}
