/* eslint-disable no-console -- a command-line tool talks to its terminal */
import { ensureInfra, infraEnv, infraStatus, localInfra, stopInfra, type InfraEnv } from './index';

const usage = 'usage: local-infra up [--foreground] [--services] | down | status';

async function printStatus(): Promise<boolean> {
  const status = await infraStatus();
  for (const s of status) {
    console.log(`${s.name.padEnd(8)} ${s.up ? 'up  ' : 'down'}  ${s.url}${s.external ? '  (external)' : ''}`);
  }
  return status.every((s) => s.up);
}

async function startServices(env: InfraEnv): Promise<() => Promise<void>> {
  // Loaded only here: it needs the built kit, which plain infrastructure commands (and jest's setup) must not.
  const { startPlatform } = await import('./platform.js');
  console.log('starting services (migrations first)...');
  const platform = await startPlatform({ infra: env });
  for (const [name, url] of Object.entries(platform.urls))
    console.log(`${name.padEnd(10)} ${url}  (logs: ${platform.logFiles[name as keyof typeof platform.urls]})`);
  console.log(
    `first admin: ${platform.secrets.ADMIN_EMAIL} / ${platform.secrets.ADMIN_PASSWORD} (local only, in .local/run/dev-secrets.json)`,
  );
  return platform.stop;
}

async function up(foreground: boolean, withServices: boolean): Promise<void> {
  const components = localInfra();
  const started = await ensureInfra(components);
  console.log(
    started.length === 0 ? 'local-infra: already running, nothing to do' : `local-infra: started ${started.join(', ')}`,
  );
  await printStatus();
  const env = infraEnv(components);
  console.log(
    Object.entries(env)
      .map(([k, v]) => `export ${k}=${v}`)
      .join('\n'),
  );
  const stopServices = withServices ? await startServices(env) : undefined;
  if (!foreground) return;
  console.log('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stopServices?.();
  await stopInfra(components);
  console.log('local-infra: stopped');
}

async function main(): Promise<void> {
  const [command, ...flags] = process.argv.slice(2);
  switch (command) {
    case 'up':
      return up(flags.includes('--foreground'), flags.includes('--services'));
    case 'down':
      await stopInfra();
      console.log('local-infra: stopped');
      return;
    case 'status':
      process.exitCode = (await printStatus()) ? 0 : 3;
      return;
    default:
      console.error(usage);
      process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
