import fs from 'node:fs';
import path from 'node:path';
import { imageCommand } from '@platform/local-infra';

const root = path.resolve(__dirname, '..', '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const version = read('.nvmrc').trim();

describe('the Node.js runtime', () => {
  it('when .nvmrc names it, then it is a Node 24 LTS release that package.json engines accept', () => {
    expect(version).toMatch(/^24\.\d+\.\d+$/);
    expect((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node).toBe('^24.11.0');
  });

  it('when the Dockerfile builds an image, then every stage starts from that exact Node', () => {
    const bases = [...read('Dockerfile').matchAll(/^FROM\s+node:(\S+?)-/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    expect(new Set(bases)).toEqual(new Set([version]));
  });

  it('when an image runs, then its command is the one `npm run up` runs', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    expect(JSON.parse(cmd!)).toEqual(['node', ...imageCommand]);
  });

  it('when a workflow sets up Node, then it reads .nvmrc', () => {
    const dir = path.join(root, '.github', 'workflows');
    const setups = fs
      .readdirSync(dir)
      .flatMap((f) => read(path.join('.github', 'workflows', f)).split('\n'))
      .filter((line) => /node-version/.test(line));
    expect(setups.length).toBeGreaterThan(0);
    for (const line of setups) expect(line.trim()).toBe('node-version-file: .nvmrc');
  });

  it('when the README names the runtime, then it is that version', () => {
    const named = [...read('README.md').matchAll(/Node\.js (\d+\.\d+\.\d+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([version]));
  });
});
