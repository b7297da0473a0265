export { auth } from './plugin';
export type { AuthOptions } from './plugin';
export { AuthErrors, bearerToken, createTokenVerifier } from './verifier';
export type { Principal, Role, TokenVerifier, VerifierOptions } from './verifier';
export { createDenyList, denyListKey } from './deny-list';
export type { DenyList } from './deny-list';
