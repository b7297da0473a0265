import { Type } from 'typebox';
import { minPasswordLength } from '../domain/password-policy';
import { refreshTokenPattern } from '../domain/refresh-tokens';
import { Email } from './users';

/** Logging in: any password an account could have; a wrong one is INVALID_CREDENTIALS like any other. */
const Password = Type.String({ minLength: 1, maxLength: 128 });
/**
 * Choosing a password: the length rule in the schema, so the API document says what the handler accepts (counted
 * in characters, as the policy counts them); the other rules (common, containing the email) answer WEAK_PASSWORD.
 */
const NewPassword = Type.String({
  minLength: minPasswordLength,
  maxLength: 128,
  description: `At least ${minPasswordLength} characters, not a common password, not containing the email`,
});
const RefreshToken = Type.String({ pattern: refreshTokenPattern, description: 'Opaque refresh token' });

export const Credentials = Type.Object({ email: Email, password: Password }, { additionalProperties: false });

export const NewAccount = Type.Object({ email: Email, password: NewPassword }, { additionalProperties: false });

export const RefreshBody = Type.Object({ refreshToken: RefreshToken }, { additionalProperties: false });

export const Session = Type.Object(
  {
    accessToken: Type.String({ description: 'EdDSA JWT, send as "Authorization: Bearer <token>"' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds the access token is valid' }),
    refreshToken: RefreshToken,
    refreshTokenExpiresAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const PublicJwk = Type.Object(
  {
    kty: Type.String(),
    crv: Type.String(),
    x: Type.String(),
    kid: Type.String(),
    alg: Type.String(),
    use: Type.String(),
  },
  { additionalProperties: false },
);

export const Jwks = Type.Object({ keys: Type.Array(PublicJwk) }, { additionalProperties: false });
