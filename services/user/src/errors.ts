import { createError } from '@platform/kit/core';

/** This service's error codes; the kit's handler answers them as problem+json with the code. */
export const EmailTaken = createError('EMAIL_TAKEN', 'Email already registered', 409);
export const InvalidEmail = createError('INVALID_EMAIL', 'Email address not accepted', 400);
export const WeakPassword = createError('WEAK_PASSWORD', 'Password too weak', 400);
/** Same answer for an unknown email and a wrong password: the API never tells which accounts exist. */
export const InvalidCredentials = createError('INVALID_CREDENTIALS', 'Invalid email or password', 401);
export const AccountLocked = createError('ACCOUNT_LOCKED', 'Too many failed logins; account temporarily locked', 423);
export const InvalidRefreshToken = createError('INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token', 401);
export const RefreshTokenReused = createError(
  'REFRESH_TOKEN_REUSED',
  'Refresh token already used; the session has been revoked',
  401,
);
export const UserNotFound = createError('USER_NOT_FOUND', 'User not found', 404);
export const CannotDemoteSelf = createError('CANNOT_DEMOTE_SELF', 'Admins cannot remove their own admin role', 409);
export const InvalidCursor = createError('INVALID_CURSOR', 'Invalid pagination cursor', 400);
