import { ensureInfra, infraEnv, localInfra } from '../../local-infra/src/index'; // jest's moduleNameMapper does not apply to global setup

/**
 * Runs once before all test files: starts whatever infrastructure is not already running
 * (installing it on first use) and hands its addresses to the test workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const components = localInfra();
  const started = await ensureInfra(components);
  Object.assign(process.env, infraEnv(components));
  // Only what this run started is stopped afterwards; a developer's `npm run infra:up` stays up.
  process.env.TEST_INFRA_STARTED = started.join(',');
}
