import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The mongoose and mongodb modules a fresh Node process has loaded after requiring `entry` (built JavaScript). */
function databaseModulesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(entry)});
    const loaded = Object.keys(require.cache).filter((file) => /node_modules\\/(mongoose|mongodb)\\//.test(file));
    process.stdout.write(JSON.stringify(loaded));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script]).toString()) as string[];
}

describe('the gateway keeps nothing in a database', () => {
  const root = path.join(__dirname, '..', '..');

  it('when its app module is loaded, then neither mongoose nor the mongodb driver is', () => {
    expect(databaseModulesLoadedBy(path.join(root, 'gateway', 'dist', 'app.js'))).toEqual([]);
  });

  it('when a service app module is loaded, then mongoose is (the check above can fail)', () => {
    expect(databaseModulesLoadedBy(path.join(root, 'services', 'product', 'dist', 'app.js')).length).toBeGreaterThan(0);
  });
});
