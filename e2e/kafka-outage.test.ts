import { setTimeout as sleep } from 'node:timers/promises';
import type { Component } from '@platform/local-infra';
import { kafkaSideState, startPrivateKafka, uniqueName } from '@platform/test-kit';
import type { RunningPlatform } from '../packages/local-infra/src/platform';
import { call, finalStatus, login, registerCustomer, startTestPlatform, stockedProduct } from './platform-fixture';

/** How long the broker stays away: long enough for every consumer to fail and be restarted by kafkajs a few times. */
const OUTAGE_MS = 20_000;

/** Polls every deployable's /health/ready until stopped; returns every answer that was not a 200. */
function watchReadiness(platform: RunningPlatform) {
  const failures: string[] = [];
  let polls = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        Object.entries(platform.urls).map(async ([name, url]) => {
          const status = await fetch(`${url}/health/ready`).then(
            (r) => r.status,
            (err: Error) => err.message,
          );
          if (status !== 200) failures.push(`${name}: ${status}`);
        }),
      );
      polls++;
      await sleep(250);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { failures, polls };
    },
  };
}

/** Both saga services' Kafka side and last log lines: which of them stalled, and how. */
async function sagaState(platform: RunningPlatform): Promise<string> {
  const states = (['order', 'inventory'] as const).map((name) =>
    kafkaSideState(name, {
      url: platform.urls[name],
      metricsPort: platform.metricsPorts[name],
      logFile: platform.logFiles[name],
    }),
  );
  return (await Promise.all(states)).join('\n');
}

describe('a Kafka outage, across the running platform', () => {
  let broker: Component;
  let platform: RunningPlatform;

  beforeAll(async () => {
    broker = await startPrivateKafka();
    platform = await startTestPlatform({ kafkaBrokers: broker.url, gateway: true });
  }, 360_000);

  afterAll(async () => {
    await platform?.stop();
    await broker?.stop();
  });

  it('when Kafka is stopped, then orders through the gateway answer 201 and every deployable stays ready; when it returns, then the orders confirm within seconds', async () => {
    const admin = await login(platform, platform.secrets.ADMIN_EMAIL, platform.secrets.ADMIN_PASSWORD);
    const customer = await registerCustomer(platform);
    const product = await stockedProduct(platform, admin, 10);

    await broker.stop();
    const readiness = watchReadiness(platform);
    const orders = [];
    for (let i = 0; i < 4; i++) {
      const placed = await call<{ id: string; status: string }>(`${platform.urls.gateway}/api/v1/orders`, {
        token: customer,
        body: { lines: [{ productId: product.id, quantity: 1 }] },
        headers: { 'idempotency-key': uniqueName('idem') },
      });
      expect(placed.status).toBe(201);
      expect(placed.body.status).toBe('PENDING');
      orders.push(placed.body.id);
      await sleep(OUTAGE_MS / 4);
    }
    const { failures, polls } = await readiness.stop();
    expect(polls).toBeGreaterThan(10);
    expect(failures).toEqual([]);

    await broker.start();
    const back = Date.now();

    const statuses = await Promise.all(orders.map((id) => finalStatus(platform, customer, id, 120_000))).catch(
      async (err: Error) => {
        throw new Error(`${err.message}\n${await sagaState(platform)}`);
      },
    );
    const settledMs = Date.now() - back;
    process.stdout.write(
      `kafka outage: ${orders.length} orders final ${settledMs} ms after the broker answered again\n`,
    );
    expect(statuses).toEqual(orders.map(() => 'CONFIRMED'));
    expect(settledMs).toBeLessThan(60_000);
  }, 360_000);
});
