import fs from 'node:fs';
// jest's moduleNameMapper does not apply to global teardown: import the package's source directly.
import { localInfra, stopInfra } from '../../local-infra/src/index';
import { startedFile } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(startedFile)) return;
  const started = JSON.parse(fs.readFileSync(startedFile, 'utf8')) as string[];
  fs.rmSync(startedFile);
  if (started.length > 0 && process.env.KEEP_INFRA !== 'true') {
    // Not from the environment: the setup exported the addresses of what it started into it.
    await stopInfra(localInfra({ useEnv: false }), started);
  }
}
