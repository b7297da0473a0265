import { Type } from 'typebox';
import { refreshTokenPattern } from '../domain/refresh-tokens';
import { Email } from './users';

/** Upper bound only: the strength rules answer WEAK_PASSWORD with a reason, which a schema error could not. */
const Password = Type.String({ minLength: 1, maxLength: 128 });
const RefreshToken = Type.String({ pattern: refreshTokenPattern, description: 'Opaque refresh token' });

export const Credentials = Type.Object({ email: Email, password: Password }, { additionalProperties: false });

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
