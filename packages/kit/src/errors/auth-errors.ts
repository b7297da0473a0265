import { createError } from './app-error';

/** The answers of the auth plugin and of use cases that check who may do what. */
export const AuthErrors = {
  Unauthenticated: createError('UNAUTHENTICATED', 'Authentication required', 401),
  InvalidToken: createError('INVALID_TOKEN', 'Invalid or expired access token', 401),
  TokenRevoked: createError('TOKEN_REVOKED', 'Access token has been revoked', 401),
  Forbidden: createError('FORBIDDEN', 'Not allowed', 403),
} as const;
