import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(__dirname, 'fixtures');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs dependency-cruiser with the repository's configuration over a fixture tree laid out like the repository. */
async function cruise(tree: string): Promise<Violation[]> {
  const cli = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
  const config = path.join(root, '.dependency-cruiser.js');
  const cwd = path.join(fixtures, tree);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, '--config', config, '--output-type', 'json', '--no-cache', ...readdirSync(cwd)],
    { cwd, maxBuffer: 32 * 1024 * 1024 },
  ).catch((err: { stdout?: string; code?: number }) => {
    // Exit code = the number of errors: the report is on stdout all the same.
    if (typeof err.stdout === 'string' && err.stdout.startsWith('{')) return { stdout: err.stdout };
    throw err;
  });
  const result = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations;
}

describe('layer rules (.dependency-cruiser.js)', () => {
  let violations: Violation[];
  beforeAll(async () => {
    violations = await cruise('violations');
  }, 120_000);

  it.each([
    ['no-cross-service', 'services/order/src/clients/user-client.ts', 'services/user/src/domain/user.ts'],
    ['nothing-imports-the-gateway', 'packages/events/src/leak.ts', 'gateway/src/domain/route-access.ts'],
    ['packages-import-no-deployable', 'packages/events/src/leak.ts', 'gateway/src/domain/route-access.ts'],
    ['only-data-access-uses-the-database', 'services/order/src/schemas/orders.ts', 'node_modules/mongodb/'],
    ['only-data-access-uses-the-database', 'services/order/src/domain/list-orders.ts', 'node_modules/mongoose/'],
    [
      'adapters-call-the-domain',
      'services/order/src/routes/orders/index.ts',
      'services/order/src/data-access/order-repository.ts',
    ],
    ['domain-is-the-core', 'gateway/src/domain/route-access.ts', 'gateway/src/routes/public-routes.ts'],
    ['nothing-below-imports-routes', 'gateway/src/domain/route-access.ts', 'gateway/src/routes/public-routes.ts'],
    ['domain-uses-the-light-kit', 'services/order/src/domain/place-order.ts', 'packages/kit/src/index.ts'],
    ['domain-loads-no-framework', 'services/order/src/domain/place-order.ts', 'node_modules/fastify/'],
    ['domain-loads-no-framework', 'services/order/src/domain/list-orders.ts', 'node_modules/mongoose/'],
    ['kit-core-is-light', 'packages/kit/src/core.ts', 'node_modules/kafkajs/'],
  ])('when a fixture breaks %s (%s), then the rule rejects it', (rule, from, to) => {
    expect(violations).toContainEqual(
      expect.objectContaining({ rule: expect.objectContaining({ name: rule }), from, to: expect.stringContaining(to) }),
    );
  });

  it('when data-access imports mongoose, then no rule objects (the database layer is allowed it)', () => {
    expect(violations.filter((v) => v.from === 'services/order/src/data-access/order-repository.ts')).toEqual([]);
  });

  it('when a tree follows the layers (routes -> domain -> ports <- data-access), then nothing is reported', async () => {
    expect(await cruise('compliant')).toEqual([]);
  }, 120_000);
});
