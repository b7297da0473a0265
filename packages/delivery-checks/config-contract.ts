/**
 * The chart's environment satisfies every deployable's config schema: renders of charts/platform give each
 * Deployment an environment (ConfigMap + Secret + env, extracted by policy.py --env-json), and this validates it
 * with the deployable's own `configSchema`, the same way the kit does at start-up. A variable a service starts to
 * require, or one the chart misspells, fails here instead of in a crash-looping pod.
 *   npx tsx --tsconfig tsconfig.tests.json packages/delivery-checks/config-contract.ts env.json [secret-keys.json]
 * Keys that come from out-of-band Secrets (existingSecret) are filled with placeholders named in the second file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import type Joi from 'joi';

const WORKSPACES: Record<string, string> = {
  user: 'services/user',
  product: 'services/product',
  order: 'services/order',
  inventory: 'services/inventory',
  gateway: 'gateway',
};

async function main(): Promise<void> {
  const [envFile, placeholdersFile] = process.argv.slice(2);
  if (!envFile) throw new Error('usage: config-contract.ts env.json [placeholders.json]');
  const environments = JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, Record<string, string>>;
  const placeholders = placeholdersFile
    ? (JSON.parse(readFileSync(placeholdersFile, 'utf8')) as Record<string, Record<string, string>>)
    : {};
  let failures = 0;
  for (const [app, env] of Object.entries(environments)) {
    const workspace = WORKSPACES[app];
    if (!workspace) throw new Error(`no workspace known for deployable "${app}"`);
    const module = (await import(path.resolve(workspace, 'src/config.ts'))) as { configSchema: Joi.ObjectSchema };
    const { error } = module.configSchema.validate(
      { ...placeholders[app], ...env },
      { abortEarly: false, allowUnknown: true, convert: true },
    );
    if (error) {
      failures += 1;
      process.stderr.write(`${app}: ${error.details.map((d) => d.message).join('; ')}\n`);
    } else {
      process.stdout.write(`${app}: environment accepted by ${workspace}/src/config.ts\n`);
    }
  }
  process.exitCode = failures ? 1 : 0;
}

void main();
