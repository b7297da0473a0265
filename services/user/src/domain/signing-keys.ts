import { randomUUID } from 'node:crypto';
import { exportJWK, importPKCS8, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { AccessTokenSigner } from './ports';
import type { Role } from './user';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  /** The current public key first, then the previous ones still accepted during a rotation. */
  jwks: JSONWebKeySet;
}

export interface SigningKeyOptions {
  privateKeyPem: string;
  keyId: string;
  previousPublicKeys: JWK[];
}

/** Imports the Ed25519 private key and derives the public key set verifiers download. */
export async function loadSigningKeys(options: SigningKeyOptions): Promise<SigningKeys> {
  const privateKey = await importPKCS8(options.privateKeyPem, 'EdDSA', { extractable: true });
  // exportJWK of a private key includes `d`; keeping only the public members guarantees it never leaks.
  const { kty, crv, x } = await exportJWK(privateKey);
  if (crv !== 'Ed25519') throw new Error(`JWT_PRIVATE_KEY must be an Ed25519 key, not ${crv ?? kty}`);
  const current: JWK = { kty, crv, x, kid: options.keyId, alg: 'EdDSA', use: 'sig' };
  const previous = options.previousPublicKeys
    .filter((key) => key.kid !== options.keyId)
    .map(({ kty: pkty, crv: pcrv, x: px, kid }) => ({ kty: pkty, crv: pcrv, x: px, kid, alg: 'EdDSA', use: 'sig' }));
  return { kid: options.keyId, privateKey, jwks: { keys: [current, ...previous] } };
}

export interface AccessTokenOptions {
  keys: SigningKeys;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Access tokens exactly as the kit's verifier expects them: EdDSA, kid, iss, aud, sub, role, jti, iat, exp. */
export function createAccessTokenSigner(options: AccessTokenOptions): AccessTokenSigner {
  return {
    async sign({ userId, role }: { userId: string; role: Role }) {
      const jti = randomUUID();
      const iat = Math.floor(Date.now() / 1000);
      const exp = iat + options.ttlSeconds;
      const token = await new SignJWT({ role })
        .setProtectedHeader({ alg: 'EdDSA', kid: options.keys.kid, typ: 'at+jwt' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(userId)
        .setJti(jti)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(options.keys.privateKey);
      return { token, jti, exp, expiresIn: options.ttlSeconds };
    },
  };
}
