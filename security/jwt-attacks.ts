import { createPublicKey, createSecretKey, randomUUID } from 'node:crypto';
import { createTally, objectIdHex } from '@platform/test-kit';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { edgeViolations, newClientIp, problemCode, send } from './support/edge';
import { AUDIENCE, ISSUER, type SecurityContext } from './support/platform';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token signed with `key` under a header of the attack's choosing, with the platform's claims by default. */
async function signed(
  key: Parameters<SignJWT['sign']>[0],
  header: { alg: string; kid?: string },
  claims: JWTPayload = {},
): Promise<string> {
  return new SignJWT({ role: 'admin', ...claims })
    .setProtectedHeader(header)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(objectIdHex())
    .setJti(randomUUID())
    .setExpirationTime('5m')
    .sign(key);
}

/** Each attack: the Authorization header it sends. Every one of them must get 401, whatever the route. */
async function attacks(ctx: SecurityContext): Promise<Array<{ name: string; authorization: string }>> {
  const publicPem = createPublicKey(ctx.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
  const publicJwk = await exportJWK(createPublicKey(ctx.privateKeyPem));
  const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const kid = ctx.kid;
  const asAdmin = (claims: Record<string, unknown>, expiresIn?: number) =>
    ctx.issuer.token({ userId: objectIdHex(), role: 'admin' }, { claims, expiresIn });
  const valid = await asAdmin({});
  const [head, payload] = valid.split('.') as [string, string];

  // A real session, ended through the gateway: its access token is on the deny-list of the shared Redis.
  const session = await send(ctx.gateways[0], {
    target: '/api/v1/auth/login',
    body: { email: ctx.bob.email, password: ctx.bob.password },
    clientIp: newClientIp(),
  });
  const { accessToken, refreshToken } = JSON.parse(session.body) as { accessToken: string; refreshToken: string };
  const logout = await send(ctx.gateways[1], {
    target: '/api/v1/auth/logout',
    token: accessToken,
    body: { refreshToken },
    clientIp: newClientIp(),
  });
  if (logout.status !== 204) throw new Error(`logout: ${logout.status} ${logout.body}`);

  const bearer = (token: string) => `Bearer ${token}`;
  const list: Array<[string, string | Promise<string>]> = [
    ['expired (beyond the 5 s tolerance)', asAdmin({}, now() - 30)],
    ['expired a day ago', asAdmin({}, now() - 86_400)],
    ['not yet valid (nbf in 5 min)', asAdmin({ nbf: now() + 300 })],
    ['wrong issuer', asAdmin({ iss: 'https://evil.example' })],
    ['no issuer', asAdmin({ iss: undefined })],
    ['wrong audience', asAdmin({ aud: 'another-api' })],
    ['no audience', asAdmin({ aud: undefined })],
    ['audience list without ours', asAdmin({ aud: ['a', 'b'] })],
    ['wrong key, right kid', signed(other.privateKey, { alg: 'EdDSA', kid })],
    ['unknown kid', signed(other.privateKey, { alg: 'EdDSA', kid: randomUUID() })],
    ['no kid, wrong key', signed(other.privateKey, { alg: 'EdDSA' })],
    ['alg none', Promise.resolve(`${b64({ alg: 'none', kid })}.${payload}.`)],
    ['alg None, signature kept', Promise.resolve(`${b64({ alg: 'None', kid })}.${payload}.${valid.split('.')[2]}`)],
    ['HS256 keyed with the public key (PEM)', signed(createSecretKey(Buffer.from(publicPem)), { alg: 'HS256', kid })],
    ['HS256 keyed with the public JWK x', signed(createSecretKey(Buffer.from(publicJwk.x!)), { alg: 'HS256', kid })],
    ['RS256, own key, our kid', signed(rsa.privateKey, { alg: 'RS256', kid })],
    ['ES256, own key, our kid', signed(ec.privateKey, { alg: 'ES256', kid })],
    ['EdDSA header, RS256 key', Promise.resolve(`${b64({ alg: 'RS256', kid })}.${payload}.${valid.split('.')[2]}`)],
    ['deny-listed (after logout)', Promise.resolve(accessToken)],
    ['sub a number', asAdmin({ sub: 42 })],
    ['sub an object', asAdmin({ sub: { $ne: null } })],
    ['sub empty', asAdmin({ sub: '' })],
    ['sub missing', asAdmin({ sub: undefined })],
    ['sub of 200 characters', asAdmin({ sub: 'a'.repeat(200) })],
    ['jti a number', asAdmin({ jti: 7 })],
    ['jti missing', asAdmin({ jti: undefined })],
    ['exp a string', asAdmin({ exp: String(now() + 300) })],
    ['exp missing', asAdmin({ exp: undefined })],
    ['role superadmin', asAdmin({ role: 'superadmin' })],
    ['role a list', asAdmin({ role: ['admin'] })],
    ['role missing', asAdmin({ role: undefined })],
    [
      'payload tampered (role changed)',
      Promise.resolve(
        `${head}.${b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin', sub: objectIdHex() })}.${valid.split('.')[2]}`,
      ),
    ],
    ['signature stripped', Promise.resolve(`${head}.${payload}.`)],
    ['signature of another token', Promise.resolve(`${head}.${payload}.${(await asAdmin({})).split('.')[2]}`)],
  ];
  const headers: Array<{ name: string; authorization: string }> = [];
  for (const [name, token] of list) headers.push({ name, authorization: bearer(await token) });
  headers.push(
    { name: 'garbage token', authorization: 'Bearer a.b.c' },
    { name: 'scheme only', authorization: 'Bearer' },
    { name: 'Basic credentials', authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
    { name: 'two tokens', authorization: `Bearer ${valid} ${valid}` },
    { name: 'token of 10 KB', authorization: `Bearer ${'a'.repeat(5_000)}.${'b'.repeat(5_000)}.c` },
    { name: 'header not JSON', authorization: `Bearer ${Buffer.from('{alg').toString('base64url')}.${payload}.x` },
  );
  return headers;
}

/** Protected routes of each kind: a service's, an admin route, and the gateway's own event stream. */
function targets(ctx: SecurityContext): Array<{ method: string; target: string; body?: unknown }> {
  return [
    { method: 'GET', target: '/api/v1/users/me' },
    { method: 'GET', target: '/api/v1/orders' },
    { method: 'GET', target: `/api/v1/orders/${ctx.orders[0]}/events` },
    { method: 'GET', target: `/api/v1/stock/${ctx.product.sku}` },
    { method: 'GET', target: '/api/v1/users' },
    { method: 'PATCH', target: `/api/v1/users/${ctx.alice.id}/role`, body: { role: 'admin' } },
  ];
}

/** Every attack on every protected target, through both replicas: 401 problem+json, and nothing else. */
export async function runJwtAttacks(ctx: SecurityContext) {
  const tally = createTally();
  const cases = await attacks(ctx);
  for (const attack of cases) {
    for (const route of targets(ctx)) {
      for (const gateway of ctx.gateways) {
        const answer = await send(gateway, {
          method: route.method,
          target: route.target,
          body: route.body,
          headers: { authorization: attack.authorization },
          clientIp: newClientIp(),
        });
        const violations = edgeViolations(answer);
        if (answer.status !== 401) violations.push(`status ${answer.status}, not 401`);
        const code = problemCode(answer);
        if (!['INVALID_TOKEN', 'UNAUTHENTICATED', 'TOKEN_REVOKED'].includes(code ?? ''))
          violations.push(`code ${code}`);
        tally.record(attack.name, violations, { route: `${route.method} ${route.target}`, status: answer.status });
      }
    }
  }
  return tally;
}
