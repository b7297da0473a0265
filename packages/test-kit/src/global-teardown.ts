import { localInfra, stopInfra } from '../../local-infra/src/index'; // jest's moduleNameMapper does not apply to global setup

export default async function globalTeardown(): Promise<void> {
  const started = (process.env.TEST_INFRA_STARTED ?? '').split(',').filter(Boolean);
  if (started.length > 0 && process.env.KEEP_INFRA !== 'true') {
    await stopInfra(localInfra(), started);
  }
}
