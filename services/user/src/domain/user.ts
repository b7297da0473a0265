import type { UserRole } from '@platform/events';

export type Role = UserRole;

export interface User {
  id: string;
  /** Normalised: trimmed and lower-case. */
  email: string;
  role: Role;
  createdAt: Date;
}

export interface UserWithPassword extends User {
  passwordHash: string;
}

export interface UserPage {
  items: User[];
  nextCursor: string | null;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
  usedAt?: Date;
  revokedAt?: Date;
}

export interface AuditEntry {
  action: 'register' | 'login' | 'lockout' | 'logout' | 'refresh_token_reuse' | 'role_change' | 'admin_bootstrap';
  outcome: 'ok' | 'failed' | 'locked' | 'revoked' | 'refused' | 'duplicate';
  actorId?: string | null;
  targetId?: string | null;
  /** Why it failed, or what changed; never a secret. */
  reason?: string;
  from?: string;
  to?: string;
}
