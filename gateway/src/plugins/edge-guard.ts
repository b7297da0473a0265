import fp from 'fastify-plugin';
import {
  AuthErrors,
  KitErrors,
  denyListKey,
  getOrCreate,
  isAppError,
  type AppError,
  type Principal,
} from '@platform/kit';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  preHandlerAsyncHookHandler,
} from 'fastify';
import { Counter } from 'prom-client';
import { createEdgeStore } from '../clients/edge-store';
import {
  accountKey,
  createAllowlist,
  createBlockedSet,
  createCounterView,
  createRevocationView,
  type WindowLimit,
} from '../domain/rate-limit';
import type { Access } from '../domain/route-access';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest of guarded routes: a client already over its per-IP limit is refused before anything is read. */
    refuseKnownFloods: onRequestAsyncHookHandler;
    /**
     * preHandler of the gateway's own routes: rate limits, authentication and the role check, in one Redis round
     * trip.
     */
    guardEdge: preHandlerAsyncHookHandler;
    /**
     * preHandler of forwarded routes: the same, except that a token found not revoked within the last
     * `revocationViewMs` is not read again where the service behind decides alone (see `mayTrustView`).
     */
    guardForwarded: preHandlerAsyncHookHandler;
  }
}

export type Limit = WindowLimit;

export interface EdgeGuardOptions {
  /** public, authenticated or admin: decided on the canonical path (request.target). */
  accessFor(request: FastifyRequest): Access;
  /** Register, login and refresh: limited per client IP and account on top of the rest. */
  isCredentialCall(request: FastifyRequest): boolean;
  limits: {
    /** Every call per client IP, before authentication: anonymous floods and floods of bad tokens. */
    ip: Limit;
    /** Every call per user, once a token identified one. */
    user: Limit;
    credentials: Limit;
  };
  /** IPs and CIDRs of internal callers that no limit applies to. */
  allowlist: readonly string[];
  /** Longest a call that did not wait for its count leaves it uncounted in Redis (see createEdgeStore). */
  syncMs: number;
  /** How long a forwarded call may rely on this replica's last reading of its token's deny-list entry. */
  revocationViewMs: number;
}

type LimitName = 'ip' | 'user' | 'credentials';

/** Where the credential limit's counters are kept in Redis: per client IP and account. */
const CREDENTIALS_KEY = 'gateway:ratelimit:cred:';

/** Seconds until a window ends, at least 1 (a client told 0 would retry at once). */
function resetSeconds(resetMs: number): number {
  return Math.max(1, Math.ceil(resetMs / 1000));
}

/**
 * The `RateLimit` field of the IETF draft (draft-ietf-httpapi-ratelimit-headers-10): the policy closest to
 * refusing, what remains of it and when it resets, in one field, e.g. `"ip";r=297;t=42`. It replaces the earlier
 * drafts' three fields (RateLimit-Limit, -Remaining, -Reset). The policy itself (`"ip";q=300;w=60`) goes in
 * `RateLimit-Policy` on 429 answers, with Retry-After; the README lists the policies.
 */
function rateLimitField(name: LimitName, remaining: number, resetSecondsLeft: number): string {
  return `"${name}";r=${remaining};t=${resetSecondsLeft}`;
}

interface Counted {
  name: LimitName;
  key: string;
  limit: Limit;
  count: number;
  resetMs: number;
}

/**
 * The edge's checks for proxied and its own API routes, in one preHandler and at most one Redis round trip:
 *
 * 1. The bearer token, if any, is verified locally (the kit's verifier: signature and claim types, results
 *    cached until expiry).
 * 2. One Redis script counts the call against the limits that apply (per client IP always; per user once a token
 *    verified; per IP and account on credential routes) and reads the deny-list entry of the token's id, for all
 *    the requests of an event-loop turn at once (clients/edge-store.ts). A call far below its limits in this
 *    replica's view goes on without waiting for the answer, if anonymous or, on a forwarded route, if its token
 *    was found not revoked a moment ago (see `ask`).
 * 3. The answer, in this order: over the per-IP limit → 429 (so floods of anonymous calls and of failed
 *    authentications are limited like any others); a protected route without a valid, unrevoked token → 401; a
 *    customer on an admin route → 403; over the per-user or credential limit → 429. On public routes a bad token
 *    only makes the caller anonymous.
 *
 * A client over its per-IP limit is remembered locally until its window ends, so a flood is refused in onRequest
 * without reading its body, verifying its token or asking Redis. Counters are fixed windows in the shared Redis
 * (keys `gateway:ratelimit:…`), so replicas draw on one budget. If Redis fails, the limits fail open (counted in
 * `gateway_rate_limit_store_errors_total`) while the deny-list fails closed on protected routes (503), as in the
 * kit. Hand-written rather than @fastify/rate-limit, which costs one round trip per limit and cannot share one
 * with the deny-list read.
 */
async function edgeGuardPlugin(app: FastifyInstance, options: EdgeGuardOptions): Promise<void> {
  const isAllowlisted = createAllowlist(options.allowlist);
  const blocked = createBlockedSet();
  const view = createCounterView();
  const revocations = createRevocationView(options.revocationViewMs);
  const requireAdmin = app.requireRole('admin');
  const refused = getOrCreate(
    app.metrics,
    'gateway_rate_limited_total',
    () =>
      new Counter({
        name: 'gateway_rate_limited_total',
        help: 'Requests refused with 429, by limit',
        labelNames: ['limit'],
        registers: [app.metrics],
      }),
  );
  const storeErrors = getOrCreate(
    app.metrics,
    'gateway_rate_limit_store_errors_total',
    () =>
      new Counter({
        name: 'gateway_rate_limit_store_errors_total',
        help: 'Requests let through unlimited because Redis could not count them',
        registers: [app.metrics],
      }),
  );
  const store = createEdgeStore(app.redis, {
    syncMs: options.syncMs,
    learned(answer) {
      const now = Date.now();
      // The credential limit is never judged on the view (see `ask`).
      for (const c of answer.counters) {
        if (!c.key.startsWith(CREDENTIALS_KEY)) view.learn(c.key, c.count, c.resetMs, now);
      }
      for (const d of answer.denyKeys) revocations.learn(d.key, d.revoked, now);
    },
    lost(err, calls) {
      storeErrors.inc(calls);
      app.log.warn({ err, calls }, 'rate limit store unavailable: calls that went on were not counted');
    },
  });
  // Counts still waiting for their interval go while Redis is still connected.
  app.addHook('onClose', () => store.flush());

  function tooMany(name: LimitName, limit: Limit, resetMs: number, request: FastifyRequest, key: string): AppError {
    refused.inc({ limit: name });
    if (name === 'credentials') {
      request.log.warn(
        { audit: { action: 'auth.rate-limited', actorId: request.ip, targetId: key, outcome: 'denied' } },
        'auth.rate-limited',
      );
    }
    const reset = resetSeconds(resetMs);
    return KitErrors.TooManyRequests(`limit of ${limit.max} requests per ${limit.windowMs / 1000} s reached`, {
      headers: {
        ratelimit: rateLimitField(name, 0, reset),
        'ratelimit-policy': `"${name}";q=${limit.max};w=${limit.windowMs / 1000}`,
        'retry-after': String(reset),
      },
    });
  }

  function counters(request: FastifyRequest, principal: Principal | undefined): Omit<Counted, 'count' | 'resetMs'>[] {
    if (isAllowlisted(request.ip)) return [];
    const list: Omit<Counted, 'count' | 'resetMs'>[] = [
      { name: 'ip', key: `gateway:ratelimit:ip:${request.ip}`, limit: options.limits.ip },
    ];
    if (principal) {
      list.push({ name: 'user', key: `gateway:ratelimit:user:${principal.userId}`, limit: options.limits.user });
    }
    if (options.isCredentialCall(request)) {
      const account = accountKey(request.body) ?? '-';
      list.push({
        name: 'credentials',
        key: `${CREDENTIALS_KEY}${request.ip}:${account}`,
        limit: options.limits.credentials,
      });
    }
    return list;
  }

  async function verified(request: FastifyRequest): Promise<Principal | AppError | undefined> {
    if (request.headers.authorization === undefined) return undefined;
    try {
      return await app.verifyAccessToken(request.headers.authorization);
    } catch (err) {
      if (isAppError(err)) return err;
      throw err;
    }
  }

  function storeFailed(err: unknown, request: FastifyRequest): void {
    storeErrors.inc();
    request.log.warn({ err }, 'rate limit store unavailable: limits not applied');
  }

  /**
   * Whether a call with this token may go on on this replica's last reading of the deny-list: only where the
   * edge's own answer could not depend on the token being revoked, and the service behind reads the deny-list
   * for every call (the kit's authenticate), so a token revoked meanwhile gets the same 401, one hop later, and
   * the answer to that call teaches this replica the revocation. Not on the gateway's own routes; not on public
   * routes (a revoked token makes the caller anonymous there); on admin routes only for an admin's token (a
   * customer's revoked token must get 401, not the role check's 403).
   */
  function mayTrustView(
    principal: Principal | undefined,
    denyKey: string | undefined,
    access: Access,
    forwarded: boolean,
  ): boolean {
    if (!principal || !denyKey || !forwarded || access === 'public') return false;
    if (access === 'admin' && principal.role !== 'admin') return false;
    return revocations.revoked(denyKey, Date.now()) === false;
  }

  /**
   * Counts and reads the deny-list; `revoked` is undefined when Redis could not be asked. A call goes on at once,
   * counted in Redis all the same without waiting for the answer, when it is far below its per-IP and per-user
   * limits in this replica's view (domain/rate-limit.ts, createCounterView) and, if it carries a token, when
   * `viewStands` (see `mayTrustView`). At a steady rate, each answer renewing the views, a user's calls then cost
   * no Redis round trip of their own.
   */
  async function ask(
    planned: Omit<Counted, 'count' | 'resetMs'>[],
    denyKey: string | undefined,
    viewStands: boolean,
    request: FastifyRequest,
  ): Promise<{ counted: Counted[]; revoked: boolean | undefined }> {
    if (planned.length === 0 && !denyKey) return { counted: [], revoked: false };
    const question = {
      counters: planned.map((c) => ({ key: c.key, windowMs: c.limit.windowMs })),
      ...(denyKey ? { denyKey } : {}),
    };
    const early =
      planned.every((c) => c.name !== 'credentials') && (!denyKey || viewStands)
        ? view.admit(planned, Date.now())
        : undefined;
    if (early) {
      store.tell(question);
      return { counted: planned.map((c, i) => ({ ...c, ...early[i]! })), revoked: false };
    }
    try {
      const answer = await store.ask(question);
      const counted = planned.map((c, i) => ({ ...c, ...answer.counts[i]! }));
      return { counted, revoked: answer.revoked };
    } catch (err) {
      storeFailed(err, request);
      return { counted: [], revoked: undefined };
    }
  }

  function exceeded(counted: Counted[], name: LimitName, request: FastifyRequest): void {
    const over = counted.find((c) => c.name === name && c.count > c.limit.max);
    if (!over) return;
    if (name !== 'credentials') blocked.add(over.key, Date.now() + over.resetMs);
    throw tooMany(name, over.limit, over.resetMs, request, over.key);
  }

  function rateLimitHeaders(reply: FastifyReply, counted: Counted[]): void {
    let tightest: Counted | undefined;
    for (const c of counted) {
      if (!tightest || c.limit.max - c.count < tightest.limit.max - tightest.count) tightest = c;
    }
    if (!tightest) return;
    const remaining = Math.max(0, tightest.limit.max - tightest.count);
    reply.header('ratelimit', rateLimitField(tightest.name, remaining, resetSeconds(tightest.resetMs)));
  }

  app.decorate('refuseKnownFloods', async function refuseKnownFloods(request: FastifyRequest) {
    const key = `gateway:ratelimit:ip:${request.ip}`;
    const until = blocked.until(key);
    if (until !== undefined && !isAllowlisted(request.ip)) {
      throw tooMany('ip', options.limits.ip, until - Date.now(), request, key);
    }
  });

  async function guard(request: FastifyRequest, reply: FastifyReply, forwarded: boolean): Promise<void> {
    const access = options.accessFor(request);
    const token = await verified(request);
    let principal = token && !isAppError(token) ? token : undefined;
    const userKey = principal && `gateway:ratelimit:user:${principal.userId}`;
    if (userKey && blocked.until(userKey) !== undefined && !isAllowlisted(request.ip)) {
      throw tooMany('user', options.limits.user, blocked.until(userKey)! - Date.now(), request, userKey);
    }

    const denyKey = principal && denyListKey(principal.jti);
    const viewStands = mayTrustView(principal, denyKey, access, forwarded);
    const { counted, revoked } = await ask(counters(request, principal), denyKey, viewStands, request);
    exceeded(counted, 'ip', request);
    if (principal && revoked !== false) {
      if (access !== 'public' && revoked === undefined) {
        throw KitErrors.ServiceUnavailable('cannot check token revocation right now', {
          headers: { 'retry-after': '2' },
        });
      }
      if (access !== 'public') throw AuthErrors.TokenRevoked();
      principal = undefined;
    }
    if (access !== 'public') {
      if (isAppError(token)) throw token;
      if (!principal) throw AuthErrors.Unauthenticated('send an access token as "Authorization: Bearer <token>"');
    }
    if (principal) {
      request.principal = principal;
      request.log = request.log.child({ userId: principal.userId });
    }
    if (access === 'admin') await requireAdmin.call(app, request, reply);
    exceeded(counted, 'user', request);
    exceeded(counted, 'credentials', request);
    rateLimitHeaders(reply, counted);
  }

  app.decorate('guardEdge', function guardEdge(request: FastifyRequest, reply: FastifyReply) {
    return guard(request, reply, false);
  });
  app.decorate('guardForwarded', function guardForwarded(request: FastifyRequest, reply: FastifyReply) {
    return guard(request, reply, true);
  });
}

export const edgeGuard = fp(edgeGuardPlugin, {
  name: 'gateway-edge-guard',
  fastify: '5.x',
  dependencies: ['kit-auth', 'kit-redis', 'kit-metrics'],
});
