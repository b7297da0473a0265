import { call, type ApiResponse } from '@platform/test-kit';
import { startTestPlatform as startPlatform, type TestPlatform as Platform } from '@platform/test-kit/platform';

export { call, type ApiResponse };

/** Limits and resilience settings the acceptance tests rely on; every caller here is 127.0.0.1. */
const gatewayOverrides = {
  RATE_LIMIT_IP_MAX: '100000',
  RATE_LIMIT_MAX: '100000',
  AUTH_RATE_LIMIT_MAX: '5',
  UPSTREAM_RETRY_ATTEMPTS: '1',
  BREAKER_VOLUME_THRESHOLD: '3',
  BREAKER_RESET_TIMEOUT_MS: '1500',
  SSE_HEARTBEAT_MS: '1000',
};

export interface TestPlatform extends Platform {
  gatewayUrl: string;
}

/** The four services and the gateway as real processes (test-kit's platform), with the gateway's test limits. */
export async function startTestPlatform(): Promise<TestPlatform> {
  const platform = await startPlatform({ name: 'gw_e2e', gateway: true, extra: { gateway: gatewayOverrides } });
  return { ...platform, gatewayUrl: platform.urls.gateway! };
}
