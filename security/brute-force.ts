import { createTally } from '@platform/test-kit';
import { edgeViolations, newClientIp, problemCode, send, sendRaw, type EdgeAnswer } from './support/edge';
import { registerThrough, type SecurityContext } from './support/platform';

/** The documented defaults (gateway README, Configuration; user service README, Lockout), which both replicas run. */
export const thresholds = { credentials: 5, lockoutFailures: 5, perIp: 300, perUser: 100 } as const;

/** Spellings of `POST /api/v1/auth/login`: equal ones must share its budget, the others must not reach it. */
export const loginSpellings = (port: number): string[] => [
  '/api/v1/auth/login',
  '/api/v1/auth/login/',
  '/api/v1/auth/log%69n',
  '/api/v1/auth/%6C%6F%67%69%6E',
  '/api/v1/auth/%6c%6f%67%69%6e',
  '/api/v1/%61uth/login',
  '/api/v1/auth/login#again',
  '/api/v1/auth/login?x=1',
  '/api/v1/auth/login?email=other@x.test',
  `http://127.0.0.1:${port}/api/v1/auth/login`,
  `HTTP://127.0.0.1:${port}/api/v1/auth/login`,
  '/api/v1/auth/LOGIN',
  '/api/v1/AUTH/login',
  '/API/V1/auth/login',
  '/api/v1/auth/login;x=1',
  '/api/v1/auth/login%3Bx',
  '/api/v1/auth/login%20',
  '/api/v1/auth/login%00',
  '/api/v1/auth/login%2F',
  '/api/v1/auth%2Flogin',
  '/api/v1//auth/login',
  '/api/v1/auth//login',
  '/api/v1/auth/./login',
  '/api/v1/x/../auth/login',
  '/api/v1/auth/login/.',
  '/api/v1/auth\\login',
  '/api/v1/auth/%2e/login',
  '/api/v1/auth/login%E2%80%8B',
];

/** Whether the call reached the login itself: its own answers, not the edge's. */
function reachedLogin(answer: EdgeAnswer): boolean {
  return ['INVALID_CREDENTIALS', 'ACCOUNT_LOCKED'].includes(problemCode(answer) ?? '') || answer.status === 200;
}

/**
 * Guesses a password through both replicas in turn, each with the spelling `spell(i)` of the login path and the
 * attacker's own valid token (so a spelling outside the credential route would still be forwarded: a token of a
 * user of its own, so the per-user limit stays out of the way).
 */
async function guess(
  ctx: SecurityContext,
  options: {
    email: string;
    ip: string;
    attempts: number;
    spell: (i: number) => string;
    token?: string;
    password?: string;
  },
): Promise<EdgeAnswer[]> {
  const answers: EdgeAnswer[] = [];
  for (let i = 0; i < options.attempts; i++) {
    answers.push(
      await sendRaw(ctx.gateways[i % 2]!, {
        method: 'POST',
        target: options.spell(i),
        token: options.token,
        body: { email: options.email, password: options.password ?? `wrong-password-${i}-guess` },
        clientIp: options.ip,
      }),
    );
  }
  return answers;
}

/**
 * The brute-force defences at their documented thresholds, across two replicas sharing Redis: the credential limit
 * (5 per client address and account), the lockout (5 failures per email and address), the per-address limit (300
 * per window) and the per-user limit (100 per window); equal spellings of the login path share one budget.
 */
export async function runBruteForce(ctx: SecurityContext) {
  const tally = createTally();
  const port = Number(new URL(ctx.gateways[0]).port);

  // Credential limit and lockout: 5 failures reach the login, then the edge refuses; the lock holds at the service.
  {
    const victim = await registerThrough(ctx.gateways[1]);
    const ip = newClientIp();
    const answers = await guess(ctx, { email: victim.email, ip, attempts: 7, spell: () => '/api/v1/auth/login' });
    const violations = answers.flatMap((a) => edgeViolations(a));
    const statuses = answers.map((a) => a.status);
    if (statuses.join() !== '401,401,401,401,401,429,429') violations.push(`statuses ${statuses.join()}`);
    if (!answers.slice(5).every((a) => Number(a.headers['retry-after']) > 0))
      violations.push('429 without Retry-After');
    tally.record('credential limit: 5 per address and account', violations);

    const locked = await send(ctx.platform.urls.user, {
      target: '/auth/login',
      body: { email: victim.email, password: victim.password },
      clientIp: ip,
    });
    tally.record(
      'lockout: 5 failures lock the email for that address',
      locked.status === 423 && problemCode(locked) === 'ACCOUNT_LOCKED'
        ? []
        : [`right password afterwards: ${locked.status}`],
    );
    const elsewhere = await send(ctx.gateways[1], {
      target: '/api/v1/auth/login',
      body: { email: victim.email, password: victim.password },
      clientIp: newClientIp(),
    });
    tally.record(
      'lockout: the owner elsewhere still logs in',
      elsewhere.status === 200 ? [] : [`status ${elsewhere.status}`],
    );
  }

  // The account however its email is typed: one budget.
  {
    const victim = await registerThrough(ctx.gateways[0]);
    const ip = newClientIp();
    const spellings = [
      victim.email,
      victim.email.toUpperCase(),
      ` ${victim.email} `,
      `\t${victim.email}`,
      victim.email.replace(/^./, (c) => c.toUpperCase()),
      victim.email,
      victim.email,
    ];
    const answers: EdgeAnswer[] = [];
    for (const [i, email] of spellings.entries()) {
      answers.push(
        await send(ctx.gateways[i % 2]!, {
          target: '/api/v1/auth/login',
          body: { email, password: 'not-the-password-at-all' },
          clientIp: ip,
        }),
      );
    }
    const reached = answers.filter(reachedLogin).length;
    tally.record(
      'credential limit: email spellings share it',
      reached <= thresholds.credentials && answers.at(-1)!.status === 429
        ? []
        : [`${reached} reached the login: ${answers.map((a) => a.status).join()}`],
    );
  }

  // Each spelling of the login path alone, from an address and for an account of its own: never more than 5
  // guesses reach the login, and a spelling that reaches it is limited like the plain one.
  for (const target of loginSpellings(port)) {
    const victim = await registerThrough(ctx.gateways[1]);
    const answers = await guess(ctx, {
      email: victim.email,
      ip: newClientIp(),
      attempts: thresholds.credentials + 2,
      spell: () => target,
      token: await ctx.freshToken(),
    });
    const violations = answers.flatMap((a) => edgeViolations(a));
    const reached = answers.filter(reachedLogin).length;
    if (reached > thresholds.credentials) violations.push(`${reached} guesses reached the login`);
    if (reached > 0 && answers.at(-1)!.status !== 429)
      violations.push(`last answer ${answers.at(-1)!.status}, not 429`);
    tally.record(
      `path spelling ${JSON.stringify(target.replace(String(port), 'PORT'))}`,
      violations,
      answers.map((a) => a.status),
    );
  }

  // All spellings mixed, one address, one account: still 5 guesses at most.
  {
    const victim = await registerThrough(ctx.gateways[0]);
    const spellings = loginSpellings(port);
    const answers = await guess(ctx, {
      email: victim.email,
      ip: newClientIp(),
      attempts: spellings.length,
      spell: (i) => spellings[i]!,
      token: await ctx.freshToken(),
    });
    const reached = answers.filter(reachedLogin).length;
    tally.record(
      'path spellings mixed: one budget',
      reached <= thresholds.credentials ? [] : [`${reached} guesses reached the login`],
    );
  }

  // Per client address, before authentication: 300 calls, then 429 on either replica.
  {
    const ip = newClientIp();
    const statuses: number[] = [];
    for (let i = 0; i < thresholds.perIp + 2; i++) {
      statuses.push((await send(ctx.gateways[i % 2]!, { target: '/api/v1/orders', clientIp: ip })).status);
    }
    const refusedAt = statuses.indexOf(429);
    tally.record(
      'per-address limit: 300 per window',
      refusedAt === thresholds.perIp && statuses.slice(refusedAt).every((s) => s === 429)
        ? []
        : [`first 429 at call ${refusedAt + 1}`],
    );
  }

  // Per user, once a token identified the caller: 100 calls from any addresses, then 429.
  {
    const token = await ctx.freshToken('customer');
    const statuses: number[] = [];
    for (let i = 0; i < thresholds.perUser + 2; i++) {
      statuses.push(
        (await send(ctx.gateways[i % 2]!, { target: '/api/v1/orders?limit=1', token, clientIp: newClientIp() })).status,
      );
    }
    const refusedAt = statuses.indexOf(429);
    tally.record(
      'per-user limit: 100 per window, any address',
      refusedAt === thresholds.perUser && statuses.slice(refusedAt).every((s) => s === 429)
        ? []
        : [`first 429 at call ${refusedAt + 1}: ${[...new Set(statuses)].join()}`],
    );
  }
  return tally;
}
