/**
 * Revoked access tokens by `jti`, in Redis, each entry living exactly until the token would expire anyway.
 * Shared by the user service (writes on logout) and every verifier (reads), including the gateway replicas.
 */
export interface DenyList {
  add(jti: string, expiresAtSec: number): Promise<void>;
  has(jti: string): Promise<boolean>;
}
