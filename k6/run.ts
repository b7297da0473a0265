/* eslint-disable no-console -- a command-line tool talks to its terminal */
/**
 * `npm run k6 -- <smoke|load|stress|spike|soak> [--platform]`: runs one k6 script and exits with k6's code
 * (99 when a threshold failed).
 *
 * Without --platform it targets a running platform (`npm run up`): BASE_URL (default http://127.0.0.1:3000) and the
 * first admin from ADMIN_EMAIL/ADMIN_PASSWORD or .local/run/dev-secrets.json. `npm run up` keeps the gateway's
 * production rate limits (300 calls per minute per IP): enough for smoke, not for the multi-user profiles, which
 * want --platform: a platform of the run's own with those limits lifted, stopped afterwards.
 * Other K6_* variables (k6/lib/config.js) pass through, e.g. K6_VU_SCALE=0.05 K6_TIME_SCALE=0.1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isK6Script, k6Scripts, runK6 } from '../packages/test-kit/src/k6';
import { startK6Platform, type K6Platform } from '../bench/k6-platform';

const root = path.resolve(__dirname, '..');

function devAdmin(): { email: string; password: string } {
  const { ADMIN_EMAIL, ADMIN_PASSWORD } = process.env;
  if (ADMIN_EMAIL && ADMIN_PASSWORD) return { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };
  const file = path.join(root, '.local', 'run', 'dev-secrets.json');
  if (!fs.existsSync(file)) {
    throw new Error(
      `no admin credentials: set ADMIN_EMAIL and ADMIN_PASSWORD, start the platform (npm run up) or pass --platform`,
    );
  }
  const secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as { ADMIN_EMAIL: string; ADMIN_PASSWORD: string };
  return { email: secrets.ADMIN_EMAIL, password: secrets.ADMIN_PASSWORD };
}

function passThrough(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('K6_') && e[1] !== undefined),
  );
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { platform: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const [type, ...rest] = positionals;
  if (!type || !isK6Script(type) || rest.length > 0) {
    console.error(`usage: npm run k6 -- <${k6Scripts.join('|')}> [--platform]`);
    return 2;
  }
  let own: K6Platform | undefined;
  if (values.platform) {
    own = await startK6Platform({ workDir: path.join(root, '.local', 'k6', type), log: (line) => console.log(line) });
  }
  try {
    const baseUrl = own?.baseUrl ?? process.env.BASE_URL ?? 'http://127.0.0.1:3000';
    console.log(`k6 ${type} against ${baseUrl}`);
    const result = await runK6({
      script: type,
      baseUrl,
      admin: own?.admin ?? devAdmin(),
      env: passThrough(),
      summaryFile: path.join(root, '.local', 'k6', `${type}-summary.json`),
      onOutput: (text) => process.stdout.write(text),
    });
    console.log(`k6 ${type}: exit ${result.code}${result.code === 99 ? ' (a threshold failed)' : ''}`);
    return result.code;
  } finally {
    await own?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
