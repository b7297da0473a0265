import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Topics } from '@platform/events';
import { freePort, waitFor } from '@platform/test-kit';
import { serviceNames, type DeployableName } from '../packages/local-infra/src/services';
import { redisDecisions } from './redis-decisions';
import { createLedger, type Ledger } from './support/ledger';
import { startChaosPlatform, type ChaosPlatform } from './support/platform';
import { groupsByTopic, lastMessages, poisonMessages, withNewEventId } from './support/poison';
import { runScenario, summaryTable, TRAFFIC, type ScenarioResult } from './support/scenario';

/** The fault windows. */
const KILL_MS = 30_000;
const KAFKA_MS = 30_000;
const DATABASE_MS = 20_000;
const REDIS_MS = 20_000;
/**
 * Stated bound on recovery: from the moment the fault ends (what was stopped answers again) until requests succeed
 * again and every order placed before it is final. Loose enough for a 2-core machine shared with other work.
 */
const RECOVERY_BOUND_MS = 90_000;
const reportFile = path.join(__dirname, '..', '.local', 'chaos-report.md');
/** One line per finished scenario, as it finishes: jest shows a test file's output only at its end. */
const progressFile = path.join(__dirname, '..', '.local', 'chaos-progress.log');

const results: ScenarioResult[] = [];
const notes: string[] = [];

function metricsText(port: number): Promise<string> {
  return fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
}

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The invariants every scenario is held to. */
function expectInvariants(result: ScenarioResult): void {
  results.push(result);
  const { shots: _shots, ...figures } = result;
  fs.appendFileSync(progressFile, `${new Date().toISOString()} ${JSON.stringify(figures)}\n`);
  expect({ lost: result.lostIds }).toEqual({ lost: [] });
  expect(result.doubleReserved).toBe(0);
  expect(result.conservationViolations).toEqual([]);
  expect(result.minAvailable).toBeGreaterThanOrEqual(0);
  expect(result.minReserved).toBeGreaterThanOrEqual(0);
  expect(result.unavailableWithoutRetryAfter).toBe(0);
  expect(result.recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
}

/**
 * The fault-injection suite (issue 13): the four services and the gateway as real processes, on a Kafka, a
 * database and a Redis of the suite's own, under steady order traffic from a bounded open-loop generator on
 * loopback. Each scenario injects one fault, heals it, and accounts for every order and every unit of stock.
 * Scenarios share the platform; the rolling restart replaces every process, so it runs last.
 */
describe('the platform under faults', () => {
  let chaos: ChaosPlatform;
  let ledger: Ledger;
  const started = Date.now();

  beforeAll(async () => {
    fs.mkdirSync(path.dirname(progressFile), { recursive: true });
    fs.writeFileSync(progressFile, '');
    chaos = await startChaosPlatform(12);
    ledger = createLedger(chaos);
  }, 600_000);

  afterAll(async () => {
    const text = [
      `Chaos suite: ${Math.round((Date.now() - started) / 1000)} s; traffic ${TRAFFIC.ordersPerSecond} orders/s + ${TRAFFIC.readsPerSecond} product reads/s through the gateway`,
      '',
      summaryTable(results),
      '',
      ...notes,
      '',
    ].join('\n');
    fs.mkdirSync(path.dirname(reportFile), { recursive: true });
    fs.writeFileSync(reportFile, text);
    process.stdout.write(`\n${text}\n`);
    await ledger?.close();
    await chaos?.stop();
  }, 120_000);

  it('when the inventory service is SIGKILLed for 30 s and restarted, then no order is lost or reserved twice', async () => {
    const result = await runScenario(chaos, ledger, {
      name: 'inventory SIGKILL 30 s',
      holdMs: KILL_MS,
      async inject() {
        const restart = await chaos.platform.stopService('inventory', 'SIGKILL');
        return restart;
      },
    });
    expectInvariants(result);
    // Orders do not need the inventory service to be accepted: the saga waits in Kafka.
    expect(result.errors).toEqual({});
  }, 300_000);

  it('when the Kafka broker is stopped for 30 s, then orders are still accepted and all reach a final status after it returns', async () => {
    const result = await runScenario(chaos, ledger, {
      name: 'Kafka stopped 30 s',
      holdMs: KAFKA_MS,
      async inject() {
        await chaos.kafka.stop();
        return () => chaos.kafka.start();
      },
    });
    expectInvariants(result);
    expect(result.errors).toEqual({});
  }, 300_000);

  it('when the database is stopped for 20 s, then requests fail with 503 + Retry-After and nothing accepted is lost', async () => {
    const result = await runScenario(chaos, ledger, {
      name: 'database stopped 20 s',
      holdMs: DATABASE_MS,
      async inject() {
        await chaos.db.stop();
        return () => chaos.db.start();
      },
    });
    expectInvariants(result);
  }, 300_000);

  it('when Redis is stopped for 20 s, then limits and caches fail open, the deny-list, login and new streams fail closed', async () => {
    const decisions = redisDecisions(chaos);
    const result = await runScenario(chaos, ledger, {
      name: 'Redis stopped 20 s',
      holdMs: REDIS_MS,
      async inject() {
        await decisions.prepare();
        await chaos.redis.stop();
        return async () => {
          await chaos.redis.start();
          await decisions.afterOutage();
        };
      },
      during: () => decisions.duringOutage(),
    }).finally(() => decisions.close());
    notes.push(decisions.tally.table('Redis outage: each decision held'));
    fs.appendFileSync(progressFile, `${notes.at(-1)}\n${JSON.stringify(decisions.tally.failures(20))}\n`);
    expectInvariants(result);
    // Anonymous product reads never needed Redis.
    expect(Object.keys(result.errors).filter((kind) => kind.startsWith('read'))).toEqual([]);
    expect(decisions.tally.failures(20)).toEqual([]);
  }, 300_000);

  it('when the product service is slow, then failing, then breakers open and orders fail fast with 503 + Retry-After; when it heals, orders succeed again', async () => {
    const product = chaos.balancers.product;
    const phases: Array<{ name: string; from: number }> = [];
    const opensBefore = metric(
      await metricsText(chaos.ports.order.metrics),
      'upstream_breaker_opens_total',
      'upstream="product-service"',
    );
    const result = await runScenario(chaos, ledger, {
      name: 'product slow, then failing',
      holdMs: 30_000,
      async inject() {
        // Slow, within the order service's 1 s deadline: orders take longer and still succeed.
        phases.push({ name: 'slow (+300 ms)', from: Date.now() });
        product.setFault({ kind: 'delay', ms: 300 });
        return async () => product.setFault({ kind: 'none' });
      },
      async during() {
        await sleep(10_000);
        // Slower than the deadline: timeouts, until the breaker opens.
        phases.push({ name: 'too slow (+2.5 s)', from: Date.now() });
        product.setFault({ kind: 'delay', ms: 2_500 });
        await sleep(10_000);
        phases.push({ name: 'failing (connections reset)', from: Date.now() });
        product.setFault({ kind: 'reset' });
      },
    });
    const opensAfter = metric(
      await metricsText(chaos.ports.order.metrics),
      'upstream_breaker_opens_total',
      'upstream="product-service"',
    );
    const failing = phases[2]!.from;
    const fastFailures = result.shots.filter(
      (s) =>
        s.startedAt >= failing + 2_000 &&
        s.startedAt < result.faultEndedAt &&
        !(s.result instanceof Error) &&
        s.result.op === 'order',
    );
    const latencies = fastFailures.map((s) => s.endedAt - s.startedAt).sort((a, b) => a - b);
    const p95 = latencies[Math.floor(latencies.length * 0.95)] ?? 0;
    notes.push(
      `Product fault: breaker opened ${opensAfter - opensBefore} time(s); orders while failing: ${fastFailures.length}, ` +
        `statuses ${[...new Set(fastFailures.map((s) => (s.result as { exchange: { status: number } }).exchange.status))].join(', ')}, p95 ${p95} ms.`,
    );
    expectInvariants(result);
    expect(opensAfter).toBeGreaterThan(opensBefore);
    expect(fastFailures.length).toBeGreaterThan(0);
    for (const shot of fastFailures) {
      const answer = (shot.result as { exchange: { status: number; headers: Record<string, unknown> } }).exchange;
      expect({ status: answer.status, retryAfter: answer.headers['retry-after'] !== undefined }).toEqual({
        status: 503,
        retryAfter: true,
      });
    }
    expect(p95).toBeLessThan(1_500);
  }, 300_000);

  it('when poison and duplicate messages are put on every topic, then the poison goes to the DLQ and nothing is applied twice', async () => {
    const expectedDeadLetters = Object.values(Topics).reduce(
      (sum, topic) => sum + poisonMessages(topic).length * groupsByTopic[topic]!.length,
      0,
    );
    let injected = { poison: 0, duplicates: 0, newIds: 0 };
    const result = await runScenario(chaos, ledger, {
      name: 'poison + duplicates, every topic',
      holdMs: 15_000,
      async inject() {
        const producer = ledger.kafka.producer();
        await producer.connect();
        for (const topic of Object.values(Topics)) {
          const full = `${chaos.namespace}.${topic}`;
          const recent = await lastMessages(ledger.kafka, full, 5);
          const poison = poisonMessages(topic);
          const copies = recent.map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
          const renamed = recent.flatMap((m) => {
            const value = withNewEventId(m);
            return value ? [{ key: m.key, value, headers: m.headers }] : [];
          });
          await producer.send({ topic: full, messages: [...poison, ...copies, ...copies, ...renamed] });
          injected = {
            poison: injected.poison + poison.length,
            duplicates: injected.duplicates + copies.length * 2,
            newIds: injected.newIds + renamed.length,
          };
        }
        await producer.disconnect();
        return async () => undefined;
      },
    });
    notes.push(
      `Poison scenario: injected ${injected.poison} poison messages, ${injected.duplicates} exact duplicates and ` +
        `${injected.newIds} copies with a new event id; ${result.deadLetters} dead letters (expected ${expectedDeadLetters}).`,
    );
    expectInvariants(result);
    expect(result.deadLetters).toBe(expectedDeadLetters);
  }, 300_000);

  it('when every service and then the gateway get SIGTERM under load, one after another, with a replica started first, then no client request fails', async () => {
    const order: DeployableName[] = [...serviceNames, 'gateway'];
    const result = await runScenario(chaos, ledger, {
      name: 'rolling restart (SIGTERM, each)',
      holdMs: 0,
      async inject() {
        for (const name of order) {
          const balancer = chaos.balancers[name];
          const ports = { http: await freePort(), metrics: await freePort() };
          await chaos.platform.startReplica(name, ports);
          balancer.setBackends([...balancer.backends(), ports.http]);
          // Out of rotation first, as an orchestrator removes a terminating pod's endpoint (the chart's preStop).
          balancer.setBackends([ports.http]);
          await sleep(1_000);
          await chaos.platform.stopService(name);
          await waitFor(() => fetch(`http://127.0.0.1:${ports.http}/health/ready`).then((r) => r.ok), {
            what: `${name} replica ready`,
          });
        }
        return async () => undefined;
      },
    });
    expectInvariants(result);
    expect(result.errors).toEqual({});
  }, 400_000);
});
