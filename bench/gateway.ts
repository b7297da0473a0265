/**
 * The cost of the gateway's hop, side by side with no hop and with nginx: the platform on ports of its own (never
 * `npm run up`'s), then for the cached product read and the authenticated order read, each target in turn:
 *
 * - direct: wrk against the service itself;
 * - nginx: one worker, a plain keep-alive reverse proxy (config generated into .local/bench/nginx, loopback only);
 * - node: the cheapest hop Node can make (bench/floor-proxy.ts: Fastify and an undici pool, no features), the floor
 *   any Node gateway starts from;
 * - gateway: the real gateway (token verification, rate limits with a very high limit, tracing on).
 *
 * Each target: a warm-up, then saturation (`wrk -t1 -c50`, requests per second and latency), then a fixed 500
 * requests per second from an open-loop generator (latency measured from each request's scheduled start, so a
 * stall is not hidden by the generator waiting: no coordinated omission). CPU per request of each process comes
 * from /proc (utime + stime over the saturation window, divided by the requests served).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningPlatform } from '../packages/local-infra/src/platform';
import {
  adminToken,
  benchPorts,
  json,
  login,
  registeredCustomer,
  startBenchPlatform,
  stockedProduct,
  type Credentials,
} from './bench-platform';
import { openLoopThread } from './open-loop-thread';
import { clockTicks, cpuSnapshot, pidsOnPort, systemTicks } from './proc';
import { quantile } from './report';
import { envWords } from './saga-infra';

/**
 * `gateway` with its edge cache as configured (the product service marks its reads for shared caches, so the
 * cached product read is answered by the gateway alone); `gateway-forward` is the same gateway with the client
 * sending `Cache-Control: no-cache`: every request goes to the service, as an uncacheable read does (the order
 * read, authenticated, always does).
 */
export const targets = ['direct', 'nginx', 'node', 'gateway', 'gateway-forward'] as const;
export type Target = (typeof targets)[number];
export const scenarios = ['product', 'order'] as const;
export type Scenario = (typeof scenarios)[number];

export const scenarioTitles: Record<Scenario, string> = {
  product: 'cached `GET /products/:id` (public)',
  order: 'authenticated `GET /orders/:id`',
};

export interface LoadFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx: must be 0 for the figures to count. */
  errors: number;
  /** CPU ms per request of each process involved (gateway, nginx, the service, redis). */
  cpuMsPerRequest: Record<string, number>;
  /**
   * The system (kernel) part of cpuMsPerRequest: at saturation it holds the cost of waking the client, which a
   * target pays more often the more the client waits for it. Absent from runs saved before it was measured.
   */
  systemMsPerRequest?: Record<string, number>;
}

export interface TargetFigures {
  saturation: LoadFigures;
  fixed: LoadFigures;
}

export type GatewayRun = Record<Scenario, Record<Target, TargetFigures>>;

export interface GatewayBenchOptions {
  runs: number;
  saturationSec: number;
  fixedSec: number;
  warmupSec: number;
  /**
   * Seconds at the fixed rate, on the same connections, before the measured window: the load's drop after
   * saturation sets off each process's memory-reducing GC, and the generator opens its connections; both would
   * otherwise land at the start of the window, in the direct call as through a hop (see docs/benchmarks.md).
   */
  fixedWarmupSec: number;
  /** Fixed rate of the cached product read. */
  rate: number;
  /**
   * Fixed rate of the authenticated order read: it must stay well below what the order service itself serves, or
   * the fixed-rate figures measure a queue instead of the hop. 100/s while the service saturated near 500/s;
   * 500/s, issue 10's rate, since it serves 2,000-4,200/s on the 2-core machine.
   */
  orderRate: number;
  connections: number;
  /** Where nginx's config, pid file and the services' logs go. */
  workDir: string;
  /** Extra environment for the gateway (e.g. NODE_OPTIONS=--cpu-prof for a profile). */
  gatewayEnv?: Record<string, string>;
  log(line: string): void;
}

/** Ports of the benchmark's own: `npm run up` and other engineers use 3000-3004 / 9100-9104. */
const ports = benchPorts(3100, 9200);
const servicePorts = ports.services;
const gatewayPorts = ports.gateway;
const nginxPort = gatewayPorts.http + 10;
const floorPort = gatewayPorts.http + 11;
const redisPort = 16379;

function cpuMsPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(before).map((name) => [
      name,
      (((after[name]! - before[name]!) / clockTicks) * 1000) / Math.max(1, requests),
    ]),
  );
}

function toMs(value: string, unit: string): number {
  return Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;
}

interface WrkResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** Checked before anything starts: a fresh machine has neither wrk nor nginx. */
export function requireCommand(name: string, debianInstall: string): void {
  if (spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0) {
    throw new Error(`${name} is required on PATH for this benchmark (Debian: ${debianInstall})`);
  }
}

/** `wrk --latency` output: total requests, Requests/sec, the 50% and 99% lines, non-2xx/3xx and socket errors. */
export function parseWrk(out: string): WrkResult {
  const latency = (pct: string) => {
    const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    if (!m) throw new Error(`no ${pct}% latency in wrk output:\n${out}`);
    return toMs(m[1]!, m[2]!);
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requests,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50Ms: latency('50'),
    p99Ms: latency('99'),
    errors: non2xx + socketErrors,
  };
}

export function runWrk(url: string, headers: Record<string, string>, seconds: number, connections: number): WrkResult {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  return parseWrk(execFileSync('wrk', [...args, url], { maxBuffer: 16 * 1024 * 1024 }).toString());
}

/**
 * `rate` requests per second for `seconds`, each sent at its scheduled time whatever the earlier ones are doing
 * (open loop), its latency counted from that time. Keep-alive connections, enough for the rate. With `warmup`,
 * first that many seconds at the same rate on the same connections, not counted; `onMeasuring` runs when the
 * counted window starts (a CPU snapshot).
 */
async function openLoop(
  url: string,
  headers: Record<string, string>,
  rate: number,
  seconds: number,
  warmup: { seconds: number; onMeasuring(): void } = { seconds: 0, onMeasuring: () => undefined },
): Promise<WrkResult> {
  const { calls } = await openLoopThread(
    { url, headers, rate, seconds, warmupSeconds: warmup.seconds },
    warmup.onMeasuring,
  );
  const counted = Math.round(rate * warmup.seconds);
  const latencies = Array.from(calls.ms.subarray(counted)).sort((a, b) => a - b);
  const statuses = calls.status.subarray(counted);
  return {
    requests: latencies.length,
    rps: rate,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    errors: statuses.filter((status) => status === 0 || status >= 300).length,
  };
}

/** One nginx worker, keep-alive to the services, no access log: the cheapest reasonable reverse proxy. */
async function startNginx(dir: string): Promise<ChildProcess> {
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const upstream = (name: string, port: number) => `  upstream ${name} { server 127.0.0.1:${port}; keepalive 64; }`;
  const location = (prefix: string, name: string) =>
    [
      `    location /api/v1/${prefix}/ {`,
      `      proxy_pass http://${name}/${prefix}/;`,
      '      proxy_http_version 1.1;',
      '      proxy_set_header Connection "";',
      '    }',
    ].join('\n');
  const conf = [
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'daemon off;',
    'events { worker_connections 1024; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/tmp/${t};`),
    upstream('product', servicePorts.product.http),
    upstream('order', servicePorts.order.http),
    '  server {',
    `    listen 127.0.0.1:${nginxPort};`,
    location('products', 'product'),
    location('orders', 'order'),
    '  }',
    '}',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir, '-e', path.join(dir, 'error.log')], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if (pidsOnPort(nginxPort).length > 0) return child;
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`nginx did not start: ${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
}

/** bench/floor-proxy.ts in front of the product and order services. */
async function startFloorProxy(dir: string): Promise<ChildProcess> {
  const out = fs.openSync(path.join(dir, 'floor-proxy.log'), 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'floor-proxy.ts')], {
    env: {
      PATH: process.env.PATH,
      FLOOR_PORT: String(floorPort),
      PRODUCT_URL: `http://127.0.0.1:${servicePorts.product.http}`,
      ORDER_URL: `http://127.0.0.1:${servicePorts.order.http}`,
    },
    stdio: ['ignore', out, out],
  });
  for (let i = 0; i < 300; i++) {
    if (pidsOnPort(floorPort).length > 0) return child;
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`the floor proxy did not start: ${fs.readFileSync(path.join(dir, 'floor-proxy.log'), 'utf8')}`);
}

interface Fixture {
  productId: string;
  orderId: string;
  customer: Credentials;
}

/** A product with stock, a customer and one of their orders, created through the services. */
export async function seed(platform: RunningPlatform): Promise<Fixture> {
  const product = await stockedProduct(platform, await adminToken(platform), 1000);
  const customer = await registeredCustomer(platform);
  const token = await login(platform, customer);
  const order = await json<{ id: string }>(`${platform.urls.order}/orders`, {
    token,
    body: { lines: [{ productId: product.id, quantity: 1 }] },
    headers: { 'idempotency-key': randomUUID() },
  });
  return { productId: product.id, orderId: order.id, customer };
}

export function urlFor(target: Target, scenario: Scenario, fixture: Fixture): string {
  const origin = {
    direct: `http://127.0.0.1:${scenario === 'product' ? servicePorts.product.http : servicePorts.order.http}`,
    nginx: `http://127.0.0.1:${nginxPort}/api/v1`,
    node: `http://127.0.0.1:${floorPort}/api/v1`,
    gateway: `http://127.0.0.1:${gatewayPorts.http}/api/v1`,
    'gateway-forward': `http://127.0.0.1:${gatewayPorts.http}/api/v1`,
  }[target];
  return scenario === 'product' ? `${origin}/products/${fixture.productId}` : `${origin}/orders/${fixture.orderId}`;
}

/** The order read carries the customer's token; `gateway-forward` asks past the edge cache. */
export function headersFor(target: Target, scenario: Scenario, token: string): Record<string, string> {
  return {
    ...(scenario === 'order' ? { authorization: `Bearer ${token}` } : {}),
    ...(target === 'gateway-forward' ? { 'cache-control': 'no-cache' } : {}),
  };
}

async function measureTarget(
  url: string,
  headers: Record<string, string>,
  processes: Record<string, number[]>,
  options: GatewayBenchOptions,
  rate: number,
): Promise<TargetFigures> {
  runWrk(url, headers, options.warmupSec, options.connections);
  const snapshot = () => ({ cpu: cpuSnapshot(processes), system: cpuSnapshot(processes, systemTicks) });
  const perRequest = (before: ReturnType<typeof snapshot>, after: ReturnType<typeof snapshot>, requests: number) => ({
    cpuMsPerRequest: cpuMsPerRequest(before.cpu, after.cpu, requests),
    systemMsPerRequest: cpuMsPerRequest(before.system, after.system, requests),
  });
  const before = snapshot();
  const saturation = runWrk(url, headers, options.saturationSec, options.connections);
  const after = snapshot();
  await sleep(2_000);
  let fixedBefore = snapshot();
  const fixed = await openLoop(url, headers, rate, options.fixedSec, {
    seconds: options.fixedWarmupSec,
    onMeasuring: () => (fixedBefore = snapshot()),
  });
  const fixedAfter = snapshot();
  return {
    saturation: { ...saturation, ...perRequest(before, after, saturation.requests) },
    fixed: { ...fixed, ...perRequest(fixedBefore, fixedAfter, fixed.requests) },
  };
}

export function startGatewayBenchPlatform(
  options: Pick<GatewayBenchOptions, 'workDir' | 'gatewayEnv' | 'log'> & {
    serviceEnv?: Partial<Record<'product' | 'order', Record<string, string>>>;
  },
) {
  return startBenchPlatform({
    ports,
    workDir: options.workDir,
    namespace: `bench_gateway_${Date.now().toString(36)}`,
    // BENCH_GATEWAY_ENV: gateway settings to compare (e.g. LOG_LEVEL=warn to weigh the access line).
    extra: { gateway: { ...envWords(process.env.BENCH_GATEWAY_ENV), ...options.gatewayEnv }, ...options.serviceEnv },
    log: options.log,
  });
}

/**
 * Starts the platform and nginx, seeds them, measures `runs` rounds of every scenario and target, stops everything.
 * The caller holds the machine-wide benchmark lock.
 */
export async function measureGateway(options: GatewayBenchOptions): Promise<GatewayRun[]> {
  requireCommand('wrk', 'apt-get install wrk');
  requireCommand('nginx', 'apt-get install nginx-light');
  const platform = await startGatewayBenchPlatform(options);
  let nginx: ChildProcess | undefined;
  let floor: ChildProcess | undefined;
  try {
    nginx = await startNginx(path.join(options.workDir, 'nginx'));
    floor = await startFloorProxy(options.workDir);
    const fixture = await seed(platform);
    const runs: GatewayRun[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const result = {} as GatewayRun;
      for (const scenario of scenarios) {
        const token = await login(platform, fixture.customer);
        const service = scenario === 'product' ? servicePorts.product.http : servicePorts.order.http;
        result[scenario] = {} as Record<Target, TargetFigures>;
        for (const target of targets) {
          const processes: Record<string, number[]> = {
            service: pidsOnPort(service),
            ...(target === 'nginx' ? { nginx: pidsOnPort(nginxPort) } : {}),
            ...(target === 'node' ? { node: pidsOnPort(floorPort) } : {}),
            ...(target.startsWith('gateway') ? { [target]: pidsOnPort(gatewayPorts.http) } : {}),
            redis: pidsOnPort(redisPort),
          };
          options.log(`run ${run}/${options.runs}: ${scenario} via ${target}`);
          const rate = scenario === 'order' ? options.orderRate : options.rate;
          const figures = await measureTarget(
            urlFor(target, scenario, fixture),
            headersFor(target, scenario, token),
            processes,
            options,
            rate,
          );
          options.log(`  ${JSON.stringify(figures)}`);
          result[scenario][target] = figures;
        }
      }
      runs.push(result);
    }
    return runs;
  } finally {
    nginx?.kill('SIGTERM');
    floor?.kill('SIGTERM');
    await platform.stop();
  }
}

/**
 * The gateway under `node --cpu-prof` at saturation (or at `rate` requests per second, open loop), each of
 * `scenarios` (the product read, the order read) for `seconds`; the profile is written when the gateway exits.
 * Returns its path. The caller holds the benchmark lock. With `target: 'direct'` the service behind the gateway is
 * profiled instead, called directly (one scenario): the yardstick the gateway's CPU per request is held to.
 * `target: 'gateway-forward'` profiles the gateway with its edge cache bypassed (`cache-control: no-cache`), so
 * every request is forwarded.
 */
export async function profileGateway(
  options: Pick<GatewayBenchOptions, 'workDir' | 'log' | 'connections'> & {
    seconds: number;
    scenarios: readonly Scenario[];
    target?: 'gateway' | 'gateway-forward' | 'direct';
    /** Requests per second, open loop, instead of saturation with wrk: where a process wakes once per request. */
    rate?: number;
  },
): Promise<{ profile: string; figures: Partial<Record<Scenario, LoadFigures>> }> {
  requireCommand('wrk', 'apt-get install wrk');
  const target = options.target ?? 'gateway';
  if (target === 'direct' && options.scenarios.length !== 1) throw new Error('profile one service at a time');
  const profileDir = path.join(options.workDir, 'profile');
  fs.rmSync(profileDir, { recursive: true, force: true });
  const profiling = { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` };
  const platform = await startGatewayBenchPlatform({
    ...options,
    ...(target === 'direct' ? { serviceEnv: { [options.scenarios[0]!]: profiling } } : { gatewayEnv: profiling }),
  });
  const figures: Partial<Record<Scenario, LoadFigures>> = {};
  try {
    const fixture = await seed(platform);
    const token = await login(platform, fixture.customer);
    for (const scenario of options.scenarios) {
      const headers = headersFor(target, scenario, token);
      const processes = {
        gateway: pidsOnPort(gatewayPorts.http),
        service: pidsOnPort(scenario === 'product' ? servicePorts.product.http : servicePorts.order.http),
      };
      const url = urlFor(target, scenario, fixture);
      runWrk(url, headers, 3, options.connections);
      const before = cpuSnapshot(processes);
      const result =
        options.rate === undefined
          ? runWrk(url, headers, options.seconds, options.connections)
          : await openLoop(url, headers, options.rate, options.seconds);
      figures[scenario] = {
        ...result,
        cpuMsPerRequest: cpuMsPerRequest(before, cpuSnapshot(processes), result.requests),
      };
      options.log(`${scenario}: ${JSON.stringify(figures[scenario])}`);
    }
  } finally {
    await platform.stop();
  }
  const profiles = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  if (profiles.length === 0) throw new Error(`the profiled process wrote no profile into ${profileDir}`);
  return { profile: path.join(profileDir, profiles.sort().at(-1)!), figures };
}
