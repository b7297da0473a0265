import type { OutboxEntry } from '@platform/kit/core';
import type { UserCursor } from './cursor';
import type { AuditEntry, RefreshTokenRecord, Role, User, UserWithPassword } from './user';

export type { DenyList } from '@platform/kit/core';

/** The users collection. Implemented in data-access; the domain never sees the database. */
export interface UserRepository {
  /** A fresh 24-hex id, so the registration event can name the user in the same write that creates it. */
  nextId(): string;
  /** Inserts the user together with its outbox; throws EmailTaken when the email exists. */
  insert(user: UserWithPassword, outbox: OutboxEntry[]): Promise<void>;
  findById(id: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<UserWithPassword | undefined>;
  /** Returns the user as it was before the change, undefined when it does not exist. */
  setRole(id: string, role: Role): Promise<User | undefined>;
  /** Newest first (createdAt, then id), strictly after `after`. */
  list(query: { role?: Role; after?: UserCursor; limit: number }): Promise<User[]>;
}

export interface RefreshTokenRepository {
  insert(record: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>): Promise<void>;
  /** Marks the token used if it is usable now (unused, not revoked, not expired) and returns it; else undefined. */
  consume(tokenHash: string, now: Date): Promise<RefreshTokenRecord | undefined>;
  find(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Revokes every token of the family; returns how many were still active. */
  revokeFamily(familyId: string, now: Date): Promise<number>;
  /** Whether any token of the family was revoked: a revoked family stays revoked, whatever was added to it since. */
  familyRevoked(familyId: string): Promise<boolean>;
  /** Housekeeping without a TTL index (FerretDB has none): drops a user's expired tokens. */
  deleteExpired(userId: string, now: Date): Promise<void>;
}

/**
 * Failed-login bookkeeping per normalised email AND client address, whether or not an account has that email:
 * a stranger failing from their address locks that address out of the account, never the owner elsewhere.
 */
export interface LoginThrottle {
  /** Seconds until the lock lifts, 0 when not locked. */
  lockedFor(email: string, clientIp: string): Promise<number>;
  /** Counts a failure; returns true when this failure locked the email for that address. */
  recordFailure(email: string, clientIp: string): Promise<boolean>;
  reset(email: string, clientIp: string): Promise<void>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the time of a real verification when there is no user, so response time does not reveal accounts. */
  verifyDummy(password: string): Promise<void>;
}

export interface SignedAccessToken {
  token: string;
  jti: string;
  /** Seconds since the epoch. */
  exp: number;
  expiresIn: number;
}

export interface AccessTokenSigner {
  sign(subject: { userId: string; role: Role }): Promise<SignedAccessToken>;
}

/** Security-relevant facts, logged as audit lines and counted as metrics by the HTTP layer. */
export interface AuditTrail {
  record(entry: AuditEntry): void;
}
