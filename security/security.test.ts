import fs from 'node:fs';
import path from 'node:path';
import type { Tally } from '@platform/test-kit';
import { runAuthorizationMatrix } from './authorization';
import { runBruteForce } from './brute-force';
import { runHeaderSweep } from './headers';
import { runJwtAttacks } from './jwt-attacks';
import { runMalformedInput } from './malformed-input';
import { newClientIp, send } from './support/edge';
import { operationsOf, type Operation } from './support/openapi';
import { startSecurityPlatform, type SecurityContext } from './support/platform';

/** Reproducible by default; SECURITY_SEED and SECURITY_RUNS explore further (both are printed with the tables). */
const seed = Number(process.env.SECURITY_SEED ?? 1_329_013);
const runs = Number(process.env.SECURITY_RUNS ?? 4);
const reportFile = path.join(__dirname, '..', '.local', 'security-report.md');

const tables: string[] = [];
function report(title: string, tally: Tally): void {
  tables.push(tally.table(title));
}

function failuresOf(tally: Tally): string[] {
  return tally.failures(15).map((f) => `${f.category}: ${f.violations.join('; ')} ${JSON.stringify(f.example ?? '')}`);
}

/** Puts the part's table in the report, then fails with its failed cases, if any. */
function expectEveryCasePassed(title: string, tally: Tally): void {
  report(title, tally);
  expect(failuresOf(tally)).toEqual([]);
}

/**
 * The security suite (issue 13): the whole platform as real processes with two gateway replicas, attacked
 * through the gateway. Each part prints a table of cases by category; .local/security-report.md collects them.
 */
describe('security of the running platform', () => {
  let ctx: SecurityContext;
  let document: unknown;
  let operations: Operation[];
  const started = Date.now();

  beforeAll(async () => {
    ctx = await startSecurityPlatform();
    document = JSON.parse((await send(ctx.gateways[0], { target: '/openapi.json', clientIp: newClientIp() })).body);
    operations = operationsOf(document);
  }, 420_000);

  afterAll(async () => {
    const header = `Security suite: seed ${seed}, ${runs} runs per route and category, ${Math.round((Date.now() - started) / 1000)} s\n`;
    const text = [header, ...tables].join('\n');
    fs.mkdirSync(path.dirname(reportFile), { recursive: true });
    fs.writeFileSync(reportFile, text);
    process.stdout.write(`\n${text}\n`);
    await ctx?.platform.stop();
  }, 60_000);

  it('when every documented route gets generated malformed input, then no 5xx, problem+json with the security headers, bounded answers', async () => {
    const { tally, failures, statusTable } = await runMalformedInput(ctx, document, {
      seed,
      runsPerRouteAndCategory: runs,
    });
    report(`Malformed input (${operations.length} routes, fast-check seed ${seed})`, tally);
    tables.push(statusTable);
    // Nothing crashed or was left unable to serve.
    for (const [name, url] of [...Object.entries(ctx.platform.urls), ['gateway replica', ctx.gateways[1]]]) {
      const status = await fetch(`${url}/health/ready`).then((r) => r.status, String);
      if (status !== 200) failures.push(`${name} not ready after the run: ${status}`);
    }
    // Polluted prototypes would show as a customer with more rights than her token gives.
    const me = await send(ctx.gateways[1], {
      target: '/api/v1/users/me',
      token: ctx.alice.token,
      clientIp: newClientIp(),
    });
    if (!me.body.includes('"role":"customer"')) failures.push(`Alice after the run: ${me.body}`);
    const users = await send(ctx.gateways[0], {
      target: '/api/v1/users',
      token: ctx.alice.token,
      clientIp: newClientIp(),
    });
    if (users.status !== 403) failures.push(`a customer listing users after the run: ${users.status}`);
    expect(failures).toEqual([]);
    expect(failuresOf(tally)).toEqual([]);
  }, 600_000);

  it('when tokens are forged, expired, revoked or of the wrong shape, then every protected route answers 401 on both replicas', async () => {
    expectEveryCasePassed('JWT attacks (6 protected routes x 2 replicas each)', await runJwtAttacks(ctx));
  }, 300_000);

  it('when anonymous, a customer, another customer and an admin call every route, then each gets the documented status and only its own data', async () => {
    expectEveryCasePassed('Authorization matrix (every route x caller)', await runAuthorizationMatrix(ctx, operations));
  }, 300_000);

  it('when passwords are guessed and calls flood through two replicas, then the limits and the lockout engage at the documented thresholds, whatever the spelling', async () => {
    expectEveryCasePassed('Brute force (two gateway replicas, documented defaults)', await runBruteForce(ctx));
  }, 300_000);

  it('when any kind of answer is given, then it carries CSP, HSTS, nosniff, frame options and referrer policy, and no x-powered-by or stack trace', async () => {
    expectEveryCasePassed(
      'Security headers (each kind of answer, both replicas)',
      await runHeaderSweep(ctx, operations),
    );
  }, 300_000);
});
