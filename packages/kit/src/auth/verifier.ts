import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  errors as joseErrors,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { AuthErrors } from '../errors/auth-errors';

export { AuthErrors };

export type Role = 'customer' | 'admin';

/** Who is calling, as proven by a verified access token. */
export interface Principal {
  userId: string;
  role: Role;
  /** Token id, for the logout deny-list. */
  jti: string;
  /** Expiry as seconds since the epoch: how long a deny-list entry must live. */
  exp: number;
}

export interface VerifierOptions {
  /** The user service's `/.well-known/jwks.json`, or a key set given directly (tests, static keys). */
  jwks: { url: string; cooldownMs?: number } | { keys: JSONWebKeySet };
  issuer: string;
  audience: string;
  /** Only asymmetric algorithms: `alg: none` and HMAC confusion are rejected before any key is looked at. */
  algorithms?: string[];
  clockToleranceSec?: number;
  /** Verified tokens remembered until they expire (0 turns the cache off); 10 000 by default. */
  cacheSize?: number;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/;

/** The token of an `Authorization: Bearer <token>` header; 401 UNAUTHENTICATED without one. */
export function bearerToken(header: string | undefined): string {
  const match = header === undefined ? null : BEARER.exec(header);
  if (!match) throw AuthErrors.Unauthenticated('send an access token as "Authorization: Bearer <token>"');
  return match[1]!;
}

/**
 * Verified tokens, by their exact text. A signature checked once stays valid, so a client sending the same token on
 * every call pays for the verification (an Ed25519 check, two base64 decodes, JSON parsing: the largest cost of an
 * authenticated request at the edge) once. An entry is used only until the token expires; the deny-list is read
 * on every call regardless, so a logout still takes effect at once. Bounded: the oldest entries go first.
 */
function createVerifiedCache(maxEntries: number, clockToleranceSec: number) {
  const entries = new Map<string, Principal>();
  return {
    get(token: string): Principal | undefined {
      const principal = entries.get(token);
      if (principal && principal.exp + clockToleranceSec <= Date.now() / 1000) {
        entries.delete(token);
        return undefined;
      }
      return principal;
    },
    set(token: string, principal: Principal): void {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(token, principal);
    },
  };
}

/**
 * Verifies access tokens against a JWKS. The remote key set is cached and re-fetched when a token names
 * an unknown `kid` (key rotation), at most once per cooldown, which jose's createRemoteJWKSet implements.
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const keySet =
    'url' in options.jwks
      ? createRemoteJWKSet(new URL(options.jwks.url), { cooldownDuration: options.jwks.cooldownMs ?? 30_000 })
      : createLocalJWKSet(options.jwks.keys);
  const algorithms = options.algorithms ?? ['EdDSA', 'ES256', 'RS256'];
  const clockTolerance = options.clockToleranceSec ?? 5;
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = createVerifiedCache(cacheSize, clockTolerance);

  return async function verifyAccessToken(token) {
    const known = cacheSize > 0 ? verified.get(token) : undefined;
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        clockTolerance,
        requiredClaims: ['sub', 'jti', 'exp'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) throw AuthErrors.InvalidToken(describe(err), { cause: err });
      throw err;
    }
    const principal = principalFrom(payload);
    if (cacheSize > 0) verified.set(token, principal);
    return principal;
  };
}

function describe(err: joseErrors.JOSEError): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'unknown signing key';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim ${err.claim} invalid`;
  return 'malformed token';
}

/**
 * A signature proves who issued the claims, not that they have the types this platform relies on: a `sub` that
 * is a number or an object would reach the services' queries and log lines. Anything else is an invalid token.
 */
function principalFrom(payload: JWTPayload): Principal {
  const { sub, jti, exp, role } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '' || sub.length > 128) throw AuthErrors.InvalidToken('claim sub invalid');
  if (typeof jti !== 'string' || jti === '' || jti.length > 128) throw AuthErrors.InvalidToken('claim jti invalid');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw AuthErrors.InvalidToken('claim exp invalid');
  if (role !== 'customer' && role !== 'admin') throw AuthErrors.InvalidToken('token has no valid role');
  return { userId: sub, role, jti, exp };
}
