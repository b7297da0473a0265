import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters. */
export const refreshTokenPattern = '^[A-Za-z0-9_-]{43}$';

/**
 * Only the hash is stored: a leaked database cannot be replayed as sessions. A fast hash is enough because the
 * token is 256 random bits, not a guessable password.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newRefreshToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashRefreshToken(token) };
}
