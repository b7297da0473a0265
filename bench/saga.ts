/**
 * The order saga end to end through the gateway (issue 9): customers place orders at fixed rates from an open-loop
 * generator, each followed on its status stream until CONFIRMED or REJECTED. Everything runs on this machine: the
 * platform on ports of its own, on a private Kafka, MongoDB-protocol database and Redis (saga-infra.ts).
 *
 * One run: a fresh platform (new databases and topics), a warm-up, the idle database's CPU, each rate from an
 * emptied order database; after the 50/s rate, 20,000 stored orders (saga-seed.ts): the idle database's CPU again
 * and the 50/s rate again, then the broker stopped for a while under 10 orders/s; then the higher rates.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { RunningPlatform } from '../packages/local-infra/src/platform';
import {
  adminToken,
  benchPorts,
  login,
  registeredCustomer,
  startBenchPlatform,
  stockedProduct,
  type BenchProduct,
} from './bench-platform';
import { openLoop } from './open-loop';
import { coreShare, cpuSnapshot, cpuTicks, pidsOnPort, treeCpuTicks } from './proc';
import { quantile } from './report';
import { envWords, infraPorts, startSagaInfra, type SagaInfra } from './saga-infra';
import { placeAndFollow, type Customer, type TrackedOrder } from './saga-orders';
import { seedOrders } from './saga-seed';

/** What a run does, kept with its figures (bench/results/saga.json) for the docs. */
export interface SagaSettings {
  /** Seconds per rate. */
  seconds: number;
  customers: number;
  storedOrders: number;
  /** The rate measured again with the stored orders. */
  storedRate: number;
  idleSeconds: number;
  /** How long the broker stays down, and the rate meanwhile. */
  outageSeconds: number;
  outageRate: number;
  /** How long an order may stay PENDING before it counts as stuck. */
  finalWithinSeconds: number;
}

export interface SagaOptions extends SagaSettings {
  runs: number;
  rates: number[];
  workDir: string;
  log(line: string): void;
}

export interface RateFigures {
  rate: number;
  seconds: number;
  offered: number;
  accepted: number;
  confirmed: number;
  rejected: number;
  /** Still PENDING when the wait ran out. */
  pending: number;
  httpErrors: number;
  /** Of the HTTP errors, POSTs the order service shed (503 ORDER_BACKLOG_FULL); absent in runs before it did. */
  shed?: number;
  /** Orders whose first stream failed or ended early, streamed again. */
  reconnected: number;
  postP50Ms: number;
  postP99Ms: number;
  /** From the scheduled POST to the final status event, over the orders seen final. */
  finalP50Ms: number;
  finalP95Ms: number;
  finalP99Ms: number;
  /** Share of one core per process over the load (and its drain). */
  cpu: Record<string, number>;
  /** How long that window lasted: the load and its drain, seconds. */
  cpuWindowSeconds: number;
}

export interface BrokerRestartFigures extends RateFigures {
  /** From the stop's start until the broker answered again. */
  outageSec: number;
  /** How long stopping the broker took (SIGTERM: a controlled shutdown), and starting it until it answered. */
  stopSec: number;
  startSec: number;
  /** From the broker's return until the last order placed before it was final; null when some never were. */
  recoverySec: number | null;
  /** Orders placed before the return that were not final 15 s after it. */
  lateAfter15s: number;
  /** Where the orders not final at the end were, by the order database: PENDING, and with events unpublished. */
  unfinishedInDatabase: { pending: number; outboxPending: number };
}

export interface SagaRun {
  rates: RateFigures[];
  stored: RateFigures;
  seedSec: number;
  /** Share of one core used by the database with the platform idle. */
  idleDatabase: { empty: number; stored: number };
  brokerRestart: BrokerRestartFigures;
}

export const ports = benchPorts(3200, 9300);

export function processes(): Record<string, number[]> {
  return {
    gateway: pidsOnPort(ports.gateway.http),
    ...Object.fromEntries(Object.entries(ports.services).map(([name, p]) => [name, pidsOnPort(p.http)])),
    database: pidsOnPort(infraPorts.mongodb),
    kafka: pidsOnPort(infraPorts.kafka),
    redis: pidsOnPort(infraPorts.redis),
  };
}

/**
 * Ticks of each process tree, and the generator's own: this process is the parent of the services and daemons it
 * started, so its tree would count them all again.
 */
function snapshot(groups: Record<string, number[]>): Record<string, number> {
  return { ...cpuSnapshot(groups, treeCpuTicks), generator: cpuTicks(process.pid) };
}

function summarise(
  rate: number,
  seconds: number,
  orders: TrackedOrder[],
  cpu: Record<string, number>,
  cpuWindowSeconds: number,
): RateFigures {
  const count = (f: (o: TrackedOrder) => boolean) => orders.filter(f).length;
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const posts = sorted(orders.flatMap((o) => (o.postMs === undefined || o.httpError ? [] : [o.postMs])));
  const finals = sorted(orders.flatMap((o) => (o.finalAt === undefined ? [] : [o.finalAt - o.scheduledAt])));
  return {
    rate,
    seconds,
    offered: orders.length,
    accepted: count((o) => !o.httpError),
    confirmed: count((o) => o.status === 'CONFIRMED'),
    rejected: count((o) => o.status === 'REJECTED'),
    pending: count((o) => !o.httpError && o.status === 'PENDING'),
    httpErrors: count((o) => o.httpError !== undefined),
    shed: count((o) => o.httpError === '503 ORDER_BACKLOG_FULL'),
    reconnected: count((o) => o.reconnected === true),
    postP50Ms: quantile(posts, 0.5),
    postP99Ms: quantile(posts, 0.99),
    finalP50Ms: quantile(finals, 0.5),
    finalP95Ms: quantile(finals, 0.95),
    finalP99Ms: quantile(finals, 0.99),
    cpu,
    cpuWindowSeconds,
  };
}

export interface Fixture {
  gateway: Pool;
  customers: Customer[];
  products: BenchProduct[];
}

/** `rate` orders per second for `seconds`, each followed until final or `finalWithinSeconds` after its POST. */
export async function measureRate(
  fixture: Fixture,
  rate: number,
  seconds: number,
  finalWithinSeconds: number,
): Promise<RateFigures> {
  const orders: TrackedOrder[] = [];
  const groups = processes();
  const before = snapshot(groups);
  const started = performance.now();
  await openLoop(rate, seconds, async (i, scheduledAt) => {
    const wait = AbortSignal.timeout(
      Math.max(1, Math.round(scheduledAt + finalWithinSeconds * 1000 - performance.now())),
    );
    const customer = fixture.customers[i % fixture.customers.length]!;
    const product = fixture.products[i % fixture.products.length]!;
    orders[i] = await placeAndFollow(fixture.gateway, customer, product.id, scheduledAt, wait);
  });
  const window = (performance.now() - started) / 1000;
  return summarise(rate, seconds, orders, coreShare(before, snapshot(groups), window), window);
}

/** Share of one core per process over `seconds` with no traffic: what the platform spends whatever the load. */
export async function idleCpu(seconds: number): Promise<Record<string, number>> {
  const groups = processes();
  const before = snapshot(groups);
  const started = performance.now();
  await sleep(seconds * 1000);
  return coreShare(before, snapshot(groups), (performance.now() - started) / 1000);
}

async function idleDatabaseCpu(infra: SagaInfra, seconds: number): Promise<number> {
  const groups = infra.databasePids();
  const before = cpuSnapshot(groups, treeCpuTicks);
  await sleep(seconds * 1000);
  return coreShare(before, cpuSnapshot(groups, treeCpuTicks), seconds).database!;
}

/** `rate` orders per second for 60 s; 10 s in, the broker is stopped for `outageSeconds`, then started again. */
async function measureBrokerRestart(
  fixture: Fixture,
  infra: SagaInfra,
  namespace: string,
  options: SagaOptions,
): Promise<BrokerRestartFigures> {
  const loadSeconds = 60;
  const orders: TrackedOrder[] = [];
  const giveUp = new AbortController();
  const started = performance.now();
  const load = openLoop(options.outageRate, loadSeconds, async (i, scheduledAt) => {
    const customer = fixture.customers[i % fixture.customers.length]!;
    const product = fixture.products[i % fixture.products.length]!;
    orders[i] = await placeAndFollow(fixture.gateway, customer, product.id, scheduledAt, giveUp.signal);
  });
  await sleep(10_000);
  const stoppedAt = performance.now();
  options.log('  stopping the broker');
  await infra.kafka.stop();
  const stopSec = (performance.now() - stoppedAt) / 1000;
  await sleep(Math.max(0, stoppedAt + options.outageSeconds * 1000 - performance.now()));
  options.log('  starting the broker');
  const startingAt = performance.now();
  await infra.kafka.start();
  const backAt = performance.now();
  options.log(`  broker back after ${((backAt - stoppedAt) / 1000).toFixed(1)} s`);
  // Orders still not final a minute after both the load and the outage ended are stuck: stop waiting for them.
  const giveUpAt = Math.max(started + loadSeconds * 1000, backAt) + 60_000;
  const timer = setTimeout(() => giveUp.abort(), giveUpAt - performance.now());
  await load;
  clearTimeout(timer);
  const before = orders.filter((o) => o.scheduledAt < backAt && !o.httpError);
  const lastFinal = before.some((o) => o.finalAt === undefined)
    ? null
    : Math.max(backAt, ...before.map((o) => o.finalAt!));
  return {
    ...summarise(options.outageRate, loadSeconds, orders, {}, (performance.now() - started) / 1000),
    outageSec: (backAt - stoppedAt) / 1000,
    stopSec,
    startSec: (backAt - startingAt) / 1000,
    recoverySec: lastFinal === null ? null : (lastFinal - backAt) / 1000,
    lateAfter15s: before.filter((o) => (o.finalAt ?? Infinity) > backAt + 15_000).length,
    unfinishedInDatabase: await infra.unfinishedOrders(namespace),
  };
}

export async function prepare(platform: RunningPlatform, options: Pick<SagaOptions, 'customers'>): Promise<Fixture> {
  const admin = await adminToken(platform);
  const products: BenchProduct[] = [];
  for (let i = 0; i < 5; i++) products.push(await stockedProduct(platform, admin, 1_000_000));
  const customers: Customer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const token = await login(platform, await registeredCustomer(platform));
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string };
    customers.push({ token, userId: claims.sub });
  }
  const gateway = new Pool(platform.urls.gateway!, { connections: 2048, pipelining: 1 });
  return { gateway, customers, products };
}

interface StoredFigures {
  stored: RateFigures;
  seedSec: number;
  idle: number;
}

/** The stored orders written into an emptied order database, the idle database, then the rate again. */
async function measureStored(
  fixture: Fixture,
  infra: SagaInfra,
  namespace: string,
  options: SagaOptions,
): Promise<StoredFigures> {
  options.log(`storing ${options.storedOrders} orders`);
  const seedStart = performance.now();
  const userIds = fixture.customers.map((c) => c.userId);
  await seedOrders(infra.mongo.db(`${namespace}_order`), userIds, fixture.products, options.storedOrders);
  const seedSec = (performance.now() - seedStart) / 1000;
  // The seed writes in seconds what a real system accumulates over hours: let the database settle (write its
  // store to disk) before the window, so the window measures the steady state.
  await sleep(10_000);
  options.log(`idle database with ${options.storedOrders} orders, ${options.idleSeconds} s`);
  const idle = await idleDatabaseCpu(infra, options.idleSeconds);
  options.log(`${options.storedRate} orders/s for ${options.seconds} s, ${options.storedOrders} orders stored`);
  const stored = await measureRate(fixture, options.storedRate, options.seconds, options.finalWithinSeconds);
  options.log(JSON.stringify(stored));
  return { stored, seedSec, idle };
}

async function measureRun(infra: SagaInfra, run: number, options: SagaOptions): Promise<SagaRun> {
  const namespace = `bench_saga_${Date.now().toString(36)}`;
  const platform = await startBenchPlatform({
    ports,
    workDir: path.join(options.workDir, `run-${run}`),
    namespace,
    infra: infra.env,
    // BENCH_ORDER_ENV: the order service's settings to compare (e.g. ORDER_BACKLOG_LIMIT=30).
    extra: { gateway: { SSE_MAX_STREAMS_PER_USER: '1000' }, order: envWords(process.env.BENCH_ORDER_ENV) },
    log: options.log,
  });
  let fixture: Fixture | undefined;
  const log = (line: string) => options.log(`run ${run}/${options.runs}: ${line}`);
  // Each measurement starts from an emptied order database, once the last one's sagas are over (or 2 min passed).
  const clear = async () => {
    const unfinished = await infra.clearOrders(namespace, 120_000);
    if (unfinished > 0) log(`${unfinished} orders still unfinished after 2 min; cleared anyway`);
    await sleep(3_000);
  };
  try {
    fixture = await prepare(platform, options);
    log('warm-up, 10 orders/s for 5 s');
    log(JSON.stringify(await measureRate(fixture, 10, 5, options.finalWithinSeconds)));
    await clear();
    log(`idle database, ${options.idleSeconds} s`);
    const idleEmpty = await idleDatabaseCpu(infra, options.idleSeconds);
    const rates: RateFigures[] = [];
    let storedFigures: StoredFigures | undefined;
    let brokerRestart: BrokerRestartFigures | undefined;
    const storedAndRestart = async (current: Fixture) => {
      await clear();
      storedFigures = await measureStored(current, infra, namespace, { ...options, log });
      await clear();
      log(`broker stopped for ${options.outageSeconds} s under ${options.outageRate} orders/s`);
      brokerRestart = await measureBrokerRestart(current, infra, namespace, { ...options, log });
      log(JSON.stringify(brokerRestart));
    };
    // The stored orders and the broker restart right after the same rate on the empty database, before higher
    // rates: what those leave in flight when the platform cannot keep up would weigh on them.
    for (const rate of options.rates) {
      await clear();
      log(`${rate} orders/s for ${options.seconds} s, empty order database`);
      rates.push(await measureRate(fixture, rate, options.seconds, options.finalWithinSeconds));
      log(JSON.stringify(rates.at(-1)));
      if (rate === options.storedRate) await storedAndRestart(fixture);
    }
    if (!storedFigures || !brokerRestart) await storedAndRestart(fixture);
    const { stored, seedSec, idle } = storedFigures!;
    return {
      rates,
      stored,
      seedSec,
      idleDatabase: { empty: idleEmpty, stored: idle },
      brokerRestart: brokerRestart!,
    };
  } finally {
    await fixture?.gateway.close();
    // Its databases and topics too (startBenchPlatform): the next run starts from none.
    await platform.stop();
  }
}

/**
 * Starts the private infrastructure, measures `runs` runs, stops it; `onRun` gets the runs so far after each one
 * (so a measurement cut short still leaves its figures). The caller holds the benchmark lock.
 */
export async function measureSaga(options: SagaOptions, onRun: (runs: SagaRun[]) => void): Promise<SagaRun[]> {
  const infra = await startSagaInfra(options.workDir, options.log);
  try {
    const runs: SagaRun[] = [];
    for (let run = 1; run <= options.runs; run++) {
      runs.push(await measureRun(infra, run, options));
      onRun(runs);
    }
    return runs;
  } finally {
    await infra.stop();
  }
}
