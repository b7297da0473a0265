import fs from 'node:fs';
import path from 'node:path';
// jest's moduleNameMapper does not apply to global setup: import the package's source directly.
import { dirs, ensureInfra, infraEnv, localInfra } from '../../local-infra/src/index';
import { pruneTestLeftovers } from './leftovers';

/** What this test run started, for the teardown (a file: jest may run teardown with a fresh environment). */
export const startedFile = path.join(dirs.run, 'started-by-tests.json');

/**
 * Runs once before all test files: starts whatever infrastructure is not already running
 * (installing it on first use) and hands its addresses to the test workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const components = localInfra();
  const started = await ensureInfra(components);
  const env = infraEnv(components);
  Object.assign(process.env, env);
  // What earlier runs left on the project's own instances (never on servers named by the environment).
  if (components.every((c) => !c.external)) {
    const pruned = await pruneTestLeftovers(env);
    if (pruned.topics + pruned.databases > 0) {
      process.stderr.write(
        `test-kit: deleted ${pruned.topics} topics and ${pruned.databases} databases of earlier runs\n`,
      );
    }
  }
  // Only what this run started is stopped afterwards; a developer's `npm run infra:up` stays up.
  fs.mkdirSync(dirs.run, { recursive: true });
  fs.writeFileSync(startedFile, JSON.stringify(started));
}
