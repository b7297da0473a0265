import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '../../..');

describe('@platform/kit/core', () => {
  it('when loaded alone, then it loads no fastify, kafkajs, mongoose, mongodb or ioredis', async () => {
    // A process of its own: jest's module registry is not what Node loads.
    const script = [
      "require('./packages/kit/src/core.ts');",
      'const names = Object.keys(require.cache).filter((file) => file.includes("/node_modules/"))',
      '  .map((file) => file.split("/node_modules/").pop().split("/").slice(0, 2).join("/"));',
      'process.stdout.write(JSON.stringify([...new Set(names)]));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root });
    const loaded = JSON.parse(stdout) as string[];

    expect(loaded.length).toBeGreaterThan(0);
    const frameworks = loaded.filter((name) => /^(fastify|@fastify\/|kafkajs|mongoose|mongodb|ioredis)/.test(name));
    expect(frameworks).toEqual([]);
  }, 60_000);
});
