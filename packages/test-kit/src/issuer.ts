import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
  type KeyObject,
} from 'jose';

export interface TestIssuer {
  issuer: string;
  audience: string;
  /** What services pass to the kit's auth plugin as `jwks: { keys }`. */
  jwks: JSONWebKeySet;
  /** A signed access token for this user; override claims or the expiry to test rejections. */
  token(user: { userId: string; role?: 'customer' | 'admin' }, options?: TokenOptions): Promise<string>;
}

export interface TokenOptions {
  expiresIn?: string | number;
  jti?: string;
  /** Sign with another key (bad signature) while keeping this issuer's kid. */
  signWith?: CryptoKey | KeyObject;
  /** Claims set as given, over the standard ones: e.g. `{ sub: 42 }` for a validly signed token of the wrong shape. */
  claims?: Record<string, unknown>;
}

/** The user service's own signing key (its JWT_PRIVATE_KEY and JWT_KEY_ID), to sign as it does. */
export interface IssuerKey {
  privateKeyPem: string;
  kid: string;
}

/**
 * Signs access tokens the way the user service does (EdDSA, kid, iss, aud, sub, role, jti, exp), so
 * component tests of other services need no running user service. With `key`, it signs with a running user
 * service's key: tokens a platform accepts, with claims of the test's choosing.
 */
export async function createTestIssuer(
  issuer = 'https://auth.test',
  audience = 'platform-api',
  key?: IssuerKey,
): Promise<TestIssuer> {
  const kid = key?.kid ?? randomUUID();
  const { privateKey, publicKey } = key
    ? { privateKey: createPrivateKey(key.privateKeyPem), publicKey: createPublicKey(key.privateKeyPem) }
    : await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return {
    issuer,
    audience,
    jwks: { keys: [jwk] },
    token({ userId, role = 'customer' }, options = {}) {
      const claims = options.claims ?? {};
      // Standard claims first, so that `claims` can replace any of them with a value of the wrong type.
      let jwt = new SignJWT({ role, ...claims } as JWTPayload).setProtectedHeader({ alg: 'EdDSA', kid }).setIssuedAt();
      if (!('iss' in claims)) jwt = jwt.setIssuer(issuer);
      if (!('aud' in claims)) jwt = jwt.setAudience(audience);
      if (!('sub' in claims)) jwt = jwt.setSubject(userId);
      if (!('jti' in claims)) jwt = jwt.setJti(options.jti ?? randomUUID());
      if (!('exp' in claims)) jwt = jwt.setExpirationTime(options.expiresIn ?? '15m');
      return jwt.sign(options.signWith ?? privateKey);
    },
  };
}

/** A random 24-hex id, shaped like the ObjectIds services use for users, orders and products. */
export function objectIdHex(): string {
  return randomUUID().replace(/-/g, '').slice(0, 24);
}
