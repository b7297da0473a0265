/* eslint-disable no-console -- a command-line tool talks to its terminal */
/**
 * The Pact Broker steps of CI, over the broker's HTTP API (no extra CLI to install):
 *
 *   tsx contracts/broker.ts publish                      every pact in contracts/pacts, as the consumer's version
 *   tsx contracts/broker.ts can-i-deploy <pacticipant>... --to-environment <env>
 *   tsx contracts/broker.ts record-deployment <pacticipant>... --environment <env>
 *
 * PACT_BROKER_BASE_URL (required), PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD; the version is
 * PACT_VERSION or GITHUB_SHA, the branch PACT_BRANCH or GITHUB_REF_NAME.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const pactDir = path.resolve(__dirname, 'pacts');

export interface BrokerConfig {
  baseUrl: string;
  headers: Record<string, string>;
  version: string;
  branch?: string;
}

export function brokerConfig(env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const baseUrl = env.PACT_BROKER_BASE_URL?.replace(/\/+$/, '');
  if (!baseUrl || !/^https?:\/\//.test(baseUrl)) throw new Error('PACT_BROKER_BASE_URL must be an http(s) URL');
  const version = env.PACT_VERSION ?? env.GITHUB_SHA;
  if (!version) throw new Error('PACT_VERSION (or GITHUB_SHA) must name the version being published or deployed');
  const headers: Record<string, string> = { accept: 'application/hal+json', 'content-type': 'application/json' };
  if (env.PACT_BROKER_TOKEN) headers.authorization = `Bearer ${env.PACT_BROKER_TOKEN}`;
  else if (env.PACT_BROKER_USERNAME) {
    const basic = Buffer.from(`${env.PACT_BROKER_USERNAME}:${env.PACT_BROKER_PASSWORD ?? ''}`).toString('base64');
    headers.authorization = `Basic ${basic}`;
  }
  return { baseUrl, headers, version, branch: env.PACT_BRANCH ?? env.GITHUB_REF_NAME };
}

async function send(config: BrokerConfig, method: string, url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${config.baseUrl}${url}`, {
    method,
    headers: config.headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 500)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

const segment = encodeURIComponent;

/** PUT each pact under its consumer's version, then tag that version with its branch. */
export async function publish(config: BrokerConfig, dir = pactDir): Promise<string[]> {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length === 0) throw new Error(`no pacts in ${dir}: run the consumer tests first`);
  const consumers = new Set<string>();
  const published: string[] = [];
  for (const file of files) {
    const pact = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      consumer: { name: string };
      provider: { name: string };
    };
    const { consumer, provider } = { consumer: pact.consumer.name, provider: pact.provider.name };
    await send(
      config,
      'PUT',
      `/pacts/provider/${segment(provider)}/consumer/${segment(consumer)}/version/${segment(config.version)}`,
      pact,
    );
    consumers.add(consumer);
    published.push(`${consumer} -> ${provider}`);
  }
  if (config.branch) {
    for (const consumer of consumers) {
      await send(
        config,
        'PUT',
        `/pacticipants/${segment(consumer)}/branches/${segment(config.branch)}/versions/${segment(config.version)}`,
        {},
      );
    }
  }
  return published;
}

interface CanIDeploy {
  summary?: { deployable?: boolean | null; reason?: string; unknown?: number };
}

/**
 * Asks whether this version of each pacticipant is compatible with what is deployed in the environment. An unknown
 * answer (verification still running elsewhere) is asked again for a while; false or still unknown fails.
 */
export async function canIDeploy(
  config: BrokerConfig,
  pacticipants: string[],
  environment: string,
  { retries = 10, intervalMs = 15_000 } = {},
): Promise<boolean> {
  let ok = true;
  for (const pacticipant of pacticipants) {
    const query = `pacticipant=${segment(pacticipant)}&version=${segment(config.version)}&environment=${segment(environment)}`;
    let answer: CanIDeploy = {};
    for (let attempt = 0; attempt <= retries; attempt++) {
      answer = (await send(config, 'GET', `/can-i-deploy?${query}`)) as CanIDeploy;
      if (answer.summary?.deployable !== null && answer.summary?.deployable !== undefined) break;
      if (attempt < retries) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    const deployable = answer.summary?.deployable === true;
    console.log(
      `${pacticipant} ${config.version} -> ${environment}: ${deployable ? 'yes' : 'NO'} (${answer.summary?.reason ?? 'no reason given'})`,
    );
    ok &&= deployable;
  }
  return ok;
}

/** Tells the broker which version now runs in the environment (what can-i-deploy compares against). */
export async function recordDeployment(
  config: BrokerConfig,
  pacticipants: string[],
  environment: string,
): Promise<void> {
  const environments = (await send(config, 'GET', `/environments?name=${segment(environment)}`)) as {
    _embedded?: { environments?: Array<{ uuid: string }> };
  };
  const uuid = environments._embedded?.environments?.[0]?.uuid;
  if (!uuid) throw new Error(`the broker knows no environment named ${environment}`);
  for (const pacticipant of pacticipants) {
    await send(
      config,
      'POST',
      `/pacticipants/${segment(pacticipant)}/versions/${segment(config.version)}/deployed-versions/environment/${uuid}`,
      {},
    );
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'to-environment': { type: 'string' }, environment: { type: 'string' } },
    allowPositionals: true,
  });
  const [command, ...pacticipants] = positionals;
  const config = brokerConfig();
  switch (command) {
    case 'publish':
      for (const line of await publish(config)) console.log(`published ${line} at ${config.version}`);
      return 0;
    case 'can-i-deploy': {
      const environment = values['to-environment'];
      if (!environment || pacticipants.length === 0) break;
      return (await canIDeploy(config, pacticipants, environment)) ? 0 : 1;
    }
    case 'record-deployment': {
      if (!values.environment || pacticipants.length === 0) break;
      await recordDeployment(config, pacticipants, values.environment);
      return 0;
    }
  }
  console.error(
    'usage: broker.ts publish | can-i-deploy <pacticipant>... --to-environment <env> | record-deployment <pacticipant>... --environment <env>',
  );
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
