/**
 * Where the slowest calls at a fixed rate spend their time (`npm run bench -- gateway-tail`): the gateway
 * benchmark's platform and sequence for one scenario (a warm-up, saturation with wrk, then the fixed rate after a
 * few seconds at it), with each call of the fixed rate carrying a request id of its own. Afterwards each of the
 * slowest calls is matched by that id with the access lines of the gateway and of the service (the time each
 * process spent on it) and by wall-clock time with the pauses of each process: garbage collections and
 * event-loop stalls, recorded by bench/pause-observer.cjs, preloaded into the gateway and the service and run in
 * the load generator's worker thread. Printed only: a diagnosis, not a figure to keep.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  headersFor,
  requireCommand,
  runWrk,
  seed,
  startGatewayBenchPlatform,
  urlFor,
  type GatewayBenchOptions,
  type Scenario,
} from './gateway';
import { login } from './bench-platform';
import { openLoopThread } from './open-loop-thread';
import { quantile } from './report';

export interface TailOptions extends Pick<GatewayBenchOptions, 'workDir' | 'log' | 'connections'> {
  scenario: Scenario;
  targets: ReadonlyArray<'direct' | 'gateway' | 'gateway-forward'>;
  rate: number;
  seconds: number;
  warmupSec: number;
  saturationSec: number;
  /** The share of calls counted as the tail: 0.01 for the slowest 1%. */
  share: number;
}

interface Call {
  id: string;
  /** When it was due (ms since the epoch); latency counts from there. */
  at: number;
  ms: number;
}

interface Pause {
  at: number;
  ms: number;
  kind: string;
}

type PauseEvent = [at: number, ms: number, kind: string];

const toPauses = (events: PauseEvent[]): Pause[] => events.map(([at, ms, kind]) => ({ at, ms, kind }));

/** A process's time on one request: when its access line says it ended, and how long it took. */
interface Served {
  end: number;
  ms: number;
}

export interface TailCall {
  ms: number;
  gatewayMs?: number;
  serviceMs?: number;
  /** Pauses of each process that overlap the call; the client is the load generator (its worker thread). */
  clientPauses: Pause[];
  gatewayPauses: Pause[];
  servicePauses: Pause[];
}

export interface TailReport {
  target: string;
  p50Ms: number;
  p99Ms: number;
  tail: TailCall[];
  /** Every pause of each process during the fixed-rate window. */
  pauses: { client: Pause[]; gateway: Pause[]; service: Pause[] };
}

function readPauses(file: string): Pause[] {
  if (!fs.existsSync(file)) throw new Error(`${file} missing: the process did not exit cleanly`);
  return toPauses((JSON.parse(fs.readFileSync(file, 'utf8')) as { events: PauseEvent[] }).events);
}

/** Request id → the access line's end time and response time, for the ids this diagnosis sent. */
function readAccessLines(file: string, prefix: string): Map<string, Served> {
  const served = new Map<string, Served>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes(prefix)) continue;
    const entry = JSON.parse(line) as { requestId?: string; time?: string | number; responseTime?: number };
    if (entry.requestId === undefined || entry.responseTime === undefined || entry.time === undefined) continue;
    served.set(entry.requestId, { end: new Date(entry.time).getTime(), ms: entry.responseTime });
  }
  return served;
}

const overlapping = (pauses: Pause[], from: number, to: number) =>
  pauses.filter((p) => p.at < to && p.at + p.ms > from);

/** The caller holds the benchmark lock. */
export async function diagnoseTail(options: TailOptions): Promise<TailReport[]> {
  requireCommand('wrk', 'apt-get install wrk');
  const pauseDir = path.join(options.workDir, 'pauses');
  const observed = (name: string) => ({
    NODE_OPTIONS: `--require ${path.join(__dirname, 'pause-observer.cjs')}`,
    PAUSE_LOG: path.join(pauseDir, `${name}.json`),
  });
  const platform = await startGatewayBenchPlatform({
    ...options,
    gatewayEnv: observed('gateway'),
    serviceEnv: { [options.scenario]: observed('service') },
  });
  fs.mkdirSync(pauseDir, { recursive: true });
  const calls = new Map<string, Call[]>();
  const clientPauses: Pause[] = [];
  const windows = new Map<string, { from: number; to: number }>();
  try {
    const fixture = await seed(platform);
    const token = await login(platform, fixture.customer);
    for (const target of options.targets) {
      const url = new URL(urlFor(target, options.scenario, fixture));
      const headers = headersFor(target, options.scenario, token);
      runWrk(url.href, headers, 3, options.connections);
      if (options.saturationSec > 0) runWrk(url.href, headers, options.saturationSec, options.connections);
      const made: Call[] = [];
      const { calls: all, pauses: generator } = await openLoopThread({
        url: url.href,
        headers,
        rate: options.rate,
        seconds: options.seconds,
        warmupSeconds: options.warmupSec,
        requestIdPrefix: `tail-${target}-`,
        observePauses: true,
      });
      clientPauses.push(...toPauses(generator));
      for (let i = Math.round(options.rate * options.warmupSec); i < all.ms.length; i++) {
        made.push({ id: `tail-${target}-${i}`, at: all.at[i]!, ms: all.ms[i]! });
      }
      calls.set(target, made);
      windows.set(target, { from: Math.min(...made.map((c) => c.at)), to: Math.max(...made.map((c) => c.at + c.ms)) });
    }
  } finally {
    // The access lines and the pause logs are written as the processes exit.
    await platform.stop();
  }

  const logs = path.join(options.workDir, 'logs');
  const pauses = {
    client: clientPauses,
    gateway: readPauses(path.join(pauseDir, 'gateway.json')),
    service: readPauses(path.join(pauseDir, 'service.json')),
  };
  const gatewayLines = readAccessLines(path.join(logs, 'gateway.log'), 'tail-');
  const serviceLines = readAccessLines(path.join(logs, `${options.scenario}.log`), 'tail-');
  return options.targets.map((target) => {
    const made = calls.get(target)!;
    const window = windows.get(target)!;
    const latencies = made.map((c) => c.ms).sort((a, b) => a - b);
    const slowest = [...made]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, Math.max(1, Math.round(made.length * options.share)));
    return {
      target,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      tail: slowest.map((call) => ({
        ms: call.ms,
        gatewayMs: gatewayLines.get(call.id)?.ms,
        serviceMs: serviceLines.get(call.id)?.ms,
        clientPauses: overlapping(pauses.client, call.at, call.at + call.ms),
        gatewayPauses: overlapping(pauses.gateway, call.at, call.at + call.ms),
        servicePauses: overlapping(pauses.service, call.at, call.at + call.ms),
      })),
      pauses: {
        client: overlapping(pauses.client, window.from, window.to),
        gateway: overlapping(pauses.gateway, window.from, window.to),
        service: overlapping(pauses.service, window.from, window.to),
      },
    };
  });
}

const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));
const total = (pauses: Pause[]) => pauses.reduce((sum, p) => sum + p.ms, 0);

function pauseSummary(pauses: Pause[]): string {
  const kinds = [...new Set(pauses.map((p) => p.kind))].sort();
  if (kinds.length === 0) return 'none';
  return kinds
    .map((kind) => {
      const durations = pauses
        .filter((p) => p.kind === kind)
        .map((p) => p.ms)
        .sort((a, b) => a - b);
      return `${kind} ${durations.length} (p50 ${ms(quantile(durations, 0.5))}, max ${ms(durations.at(-1))} ms)`;
    })
    .join(', ');
}

function pauseList(pauses: Pause[]): string {
  return pauses.length === 0 ? '-' : pauses.map((p) => `${p.kind} ${ms(p.ms)}`).join(' + ');
}

export function formatTail(
  reports: TailReport[],
  options: Pick<TailOptions, 'scenario' | 'rate' | 'seconds' | 'share'>,
): string {
  const processes = ['client', 'gateway', 'service'] as const;
  const median = (values: Array<number | undefined>) => {
    const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    return known.length === 0 ? undefined : quantile(known, 0.5);
  };
  const lines: string[] = [];
  for (const r of reports) {
    const pausesOf = (c: TailCall) => ({ client: c.clientPauses, gateway: c.gatewayPauses, service: c.servicePauses });
    const during = (name: (typeof processes)[number]) => r.tail.filter((c) => total(pausesOf(c)[name]) >= 1).length;
    const unexplained = r.tail.filter((c) => processes.every((name) => total(pausesOf(c)[name]) < 1)).length;
    lines.push(
      `${options.scenario} read via ${r.target}, ${options.rate}/s for ${options.seconds} s: p50 ${ms(r.p50Ms)} ms, p99 ${ms(r.p99Ms)} ms`,
      `  the slowest ${options.share * 100}% (${r.tail.length} calls): median ${ms(median(r.tail.map((c) => c.ms)))} ms at the client, ` +
        `${ms(median(r.tail.map((c) => c.gatewayMs)))} in the gateway, ${ms(median(r.tail.map((c) => c.serviceMs)))} in the service`,
      `  of them during a pause (>= 1 ms) of the client (load generator): ${during('client')}, of the gateway: ` +
        `${during('gateway')}, of the service: ${during('service')}; of none: ${unexplained}`,
      ...processes.map((name) => `  pauses in the window, ${name}: ${pauseSummary(r.pauses[name])}`),
      '  the ten slowest (ms): client / gateway / service; pauses of the client | of the gateway | of the service',
      ...r.tail
        .slice(0, 10)
        .map(
          (c) =>
            `    ${ms(c.ms)} / ${ms(c.gatewayMs)} / ${ms(c.serviceMs)}; ` +
            processes.map((name) => pauseList(pausesOf(c)[name])).join(' | '),
        ),
      '',
    );
  }
  return lines.join('\n');
}
