import type { RunningPlatform } from '../packages/local-infra/src/platform';
import { K6_THRESHOLDS_FAILED, k6Binary, runK6, type K6Result } from '@platform/test-kit';
import { startTestPlatform } from './platform-fixture';

/**
 * The k6 smoke script (k6/smoke.js) against the whole platform as processes, the CI gate of issue 11: every public
 * route once, every answer checked. The gateway's limits are lifted because its counters live in the shared Redis
 * (per IP: every test of every checkout calls from 127.0.0.1); the credential limit stays.
 */
describe('k6 smoke run', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    k6Binary(); // installs k6 on first use (CI installs it before the tests)
    platform = await startTestPlatform({
      gateway: true,
      extra: { gateway: { RATE_LIMIT_IP_MAX: '1000000', RATE_LIMIT_MAX: '1000000' } },
    });
  }, 20 * 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  function smoke(env: Record<string, string> = {}): Promise<K6Result> {
    return runK6({
      script: 'smoke',
      baseUrl: platform.urls.gateway!,
      admin: { email: platform.secrets.ADMIN_EMAIL, password: platform.secrets.ADMIN_PASSWORD },
      env,
    });
  }

  it(
    'when every public route answers as documented, then the run passes with every check',
    async () => {
      const result = await smoke();

      if (result.code !== 0) throw new Error(`k6 smoke failed (exit ${result.code}):\n${result.output}`);
      const checks = result.summary!.metrics.checks!;
      expect(checks.values.fails).toBe(0);
      // Every route of the public API is called at least once: a script that silently skipped a group would call fewer.
      expect(checks.values.passes).toBeGreaterThanOrEqual(50);
      expect(result.summary!.metrics.http_reqs!.values.count).toBeGreaterThanOrEqual(35);
    },
    5 * 60_000,
  );

  it(
    'when a latency threshold is impossibly tight, then the run fails with k6 exit code 99',
    async () => {
      const result = await smoke({ K6_P95_MS: '0.001' });

      expect(result.code).toBe(K6_THRESHOLDS_FAILED);
      const duration = Object.entries(result.summary!.metrics).find(([name]) =>
        name.startsWith('http_req_duration{scenario:smoke'),
      );
      expect(duration?.[1]?.thresholds?.['p(95)<0.001']?.ok).toBe(false);
      // Only the latency threshold failed: the checks still all passed.
      expect(result.summary!.metrics.checks!.values.fails).toBe(0);
    },
    5 * 60_000,
  );
});
