/**
 * `npm run bench -- load`: issue 11's load profile (k6/load.js: ramps to 1000 VUs, 80% browse, 15% order and follow
 * to the final status, 5% sign up and refresh) against a platform started for each run, everything co-located on
 * this machine. Per run: p95/p99 per scenario, placement to final status, error rate, throughput, whether every
 * threshold held, and the CPU each process used (the busiest one is the bottleneck when the targets are missed).
 */
import os from 'node:os';
import path from 'node:path';
import { runK6, type K6Summary } from '../packages/test-kit/src/k6';
import { startK6Platform } from './k6-platform';
import { coreShare, cpuSnapshot, machineBusyTicks, pidsOnPort } from './proc';
import { spread, type Labelled } from './report';

export const loadScenarios = ['browse', 'order', 'account'] as const;
export type LoadScenario = (typeof loadScenarios)[number];

export interface ScenarioFigures {
  p95Ms: number;
  p99Ms: number;
  errorRate: number;
  rps: number;
}

export interface LoadRun {
  scenarios: Record<LoadScenario, ScenarioFigures>;
  /** `shed`: POSTs answered 503 + Retry-After and sent again after the wait (absent in runs before it existed). */
  orderToFinal: { p95Ms: number; p99Ms: number; finalRate: number; shed?: number };
  totalRps: number;
  errorRate: number;
  peakVus: number;
  thresholdsPassed: boolean;
  /**
   * The gateway's own view of the browse calls (`/api/v1/products...`): the upper bound of the histogram bucket
   * holding their p95, from receipt to answer, and the p99 delay of its event loop over the run. Far below k6's
   * p95, they put the time outside the gateway's code: waiting for a core, in the kernel's queues, or in k6 itself,
   * which shares the cores. Absent in runs before it existed.
   */
  gateway?: { browseP95AtMostMs: number; eventLoopP99Ms: number };
  /**
   * Share of one core each process used over the run, and `machine`: the whole machine's busy time (k6, which
   * shares it, and everything else included). Older entries have no `machine`.
   */
  cpu: Record<string, number>;
}

export interface LoadOptions {
  runs: number;
  /** Multiplies the profile's VUs (1 = 1000 at the peak). */
  vuScale: number;
  /** Multiplies the profile's durations (1 = 5.5 minutes). */
  timeScale: number;
  workDir: string;
  log(line: string): void;
}

const infraPorts = { database: 27027, kafka: 19092, redis: 16379 };

function metric(summary: K6Summary, name: string): Record<string, number> {
  return summary.metrics[name]?.values ?? {};
}

export function figuresFrom(summary: K6Summary, seconds: number): Omit<LoadRun, 'cpu' | 'thresholdsPassed'> {
  const scenarios = Object.fromEntries(
    loadScenarios.map((s) => {
      const api = `{scenario:${s},kind:api}`;
      const duration = metric(summary, `http_req_duration${api}`);
      return [
        s,
        {
          p95Ms: duration['p(95)'] ?? NaN,
          p99Ms: duration['p(99)'] ?? NaN,
          errorRate: metric(summary, `http_req_failed${api}`).value ?? NaN,
          rps: (metric(summary, `http_reqs${api}`).count ?? 0) / seconds,
        },
      ];
    }),
  ) as Record<LoadScenario, ScenarioFigures>;
  const final = metric(summary, 'order_to_final_ms{scenario:order}');
  const requests = loadScenarios.reduce((sum, s) => sum + scenarios[s].rps * seconds, 0);
  const failed = loadScenarios.reduce((sum, s) => sum + scenarios[s].errorRate * scenarios[s].rps * seconds, 0);
  return {
    scenarios,
    orderToFinal: {
      p95Ms: final['p(95)'] ?? NaN,
      p99Ms: final['p(99)'] ?? NaN,
      finalRate: metric(summary, 'orders_final{scenario:order}').value ?? NaN,
      shed: metric(summary, 'orders_shed').count ?? 0,
    },
    totalRps: requests / seconds,
    errorRate: requests > 0 ? failed / requests : NaN,
    peakVus: metric(summary, 'vus_max').max ?? metric(summary, 'vus_max').value ?? NaN,
  };
}

/** Sample lines of a Prometheus text exposition: name, labels, value. */
function samples(text: string, name: string): Array<{ labels: string; value: number }> {
  const line = new RegExp(`^${name}(?:\\{(.*)\\})? (\\S+)$`);
  return text.split('\n').flatMap((l) => {
    const m = line.exec(l);
    return m ? [{ labels: m[1] ?? '', value: Number(m[2]) }] : [];
  });
}

/** See LoadRun.gateway. */
export function gatewayView(metricsText: string): NonNullable<LoadRun['gateway']> {
  const buckets = new Map<number, number>();
  for (const { labels, value } of samples(metricsText, 'http_request_duration_seconds_bucket')) {
    if (!/route="\/api\/v1\/products[^"]*"/.test(labels)) continue;
    const raw = /le="([^"]+)"/.exec(labels)?.[1];
    const le = raw === '+Inf' ? Infinity : Number(raw);
    buckets.set(le, (buckets.get(le) ?? 0) + value);
  }
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? 0;
  const p95 = bounds.find((le) => buckets.get(le)! >= 0.95 * total) ?? NaN;
  // Node's delay histogram records whole timer intervals (the kit samples every 100 ms): the delay is what
  // exceeds the shortest one.
  const lag = (name: string) => samples(metricsText, `nodejs_eventloop_lag_${name}_seconds`)[0]?.value ?? NaN;
  return { browseP95AtMostMs: p95 * 1000, eventLoopP99Ms: (lag('p99') - lag('min')) * 1000 };
}

/** Runs the profile `runs` times, each on a fresh platform. The caller holds the benchmark lock. */
export async function measureLoad(options: LoadOptions): Promise<LoadRun[]> {
  const runs: LoadRun[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const own = await startK6Platform({ workDir: path.join(options.workDir, `run-${run}`), log: options.log });
    try {
      const ports = Object.fromEntries(
        Object.entries(own.platform.urls).map(([name, url]) => [name, pidsOnPort(Number(new URL(url).port))]),
      );
      const processes: Record<string, number[]> = {
        ...ports,
        ...Object.fromEntries(Object.entries(infraPorts).map(([name, port]) => [name, pidsOnPort(port)])),
      };
      const snapshot = () => ({ ...cpuSnapshot(processes), machine: machineBusyTicks() });
      const before = snapshot();
      const started = Date.now();
      options.log(`run ${run}/${options.runs}: k6 load at ${options.vuScale}x VUs, ${options.timeScale}x time`);
      const result = await runK6({
        script: 'load',
        baseUrl: own.baseUrl,
        admin: own.admin,
        env: {
          K6_VU_SCALE: String(options.vuScale),
          K6_TIME_SCALE: String(options.timeScale),
          K6_RUN_ID: `bench${run}${Date.now().toString(36)}`,
        },
        summaryFile: path.join(options.workDir, `run-${run}`, 'summary.json'),
        onOutput: (text) => {
          for (const line of text.split('\n')) if (/level=(error|warn)/.test(line)) options.log(line.slice(0, 300));
        },
      });
      const seconds = (Date.now() - started) / 1000;
      const after = snapshot();
      const gateway = gatewayView(await (await fetch(own.gatewayMetricsUrl)).text());
      if (result.code !== 0 && result.code !== 99)
        throw new Error(`k6 failed (exit ${result.code}):\n${result.output.slice(-3000)}`);
      if (!result.summary) throw new Error('k6 wrote no summary');
      const figures = {
        ...figuresFrom(result.summary, seconds),
        thresholdsPassed: result.code === 0,
        gateway,
        cpu: coreShare(before, after, seconds),
      };
      options.log(`  ${JSON.stringify(figures)}`);
      runs.push(figures);
    } finally {
      await own.stop();
    }
  }
  return runs;
}

/** The busiest process of a run: where to look first when the targets are missed. */
export function busiest(cpu: Record<string, number>): [string, number] {
  return Object.entries(cpu)
    .filter(([name]) => name !== 'machine')
    .reduce((top, entry) => (entry[1] > top[1] ? entry : top), ['none', 0]);
}

export function renderLoad(entries: Array<Labelled<LoadRun>>): string {
  const lines: string[] = [];
  for (const e of entries) {
    const settings = e.extra as { vuScale: number; timeScale: number };
    const f = (pick: (r: LoadRun) => number, digits = 0) => spread(e.runs.map(pick), digits);
    const pct = (pick: (r: LoadRun) => number) =>
      spread(
        e.runs.map((r) => pick(r) * 100),
        2,
      );
    lines.push(
      `### ${e.label}`,
      '',
      `${e.date}, commit ${e.commit}, Node ${e.node}, ${e.machine}. \`${e.command}\`: k6/load.js at ${Math.round(1000 * settings.vuScale)} VUs at the peak, ${settings.timeScale}x its durations; ${e.runs.length} run(s), median (min-max). Targets: browsing p95 < 300 ms, placement to final status p95 < 1 s, errors < 0.5%.`,
      '',
      '| scenario | p95 ms | p99 ms | errors % | requests/s |',
      '|---|---|---|---|---|',
      ...loadScenarios.map(
        (s) =>
          `| ${s} | ${f((r) => r.scenarios[s].p95Ms)} | ${f((r) => r.scenarios[s].p99Ms)} | ${pct((r) => r.scenarios[s].errorRate)} | ${f((r) => r.scenarios[s].rps)} |`,
      ),
      `| order placed to final status | ${f((r) => r.orderToFinal.p95Ms)} | ${f((r) => r.orderToFinal.p99Ms)} | ${pct((r) => 1 - r.orderToFinal.finalRate)} not final | |`,
      ...(e.runs.every((r) => r.orderToFinal.shed !== undefined)
        ? [
            `| orders shed (503 + Retry-After, sent again after the wait) | | | ${f((r) => r.orderToFinal.shed!)} POSTs | |`,
          ]
        : []),
      `| all | | | ${pct((r) => r.errorRate)} | ${f((r) => r.totalRps)} |`,
      '',
      `Every threshold held in ${e.runs.filter((r) => r.thresholdsPassed).length} of ${e.runs.length} runs. CPU, share of one core over the run (${os.cpus().length} cores): ${Object.keys(
        e.runs[0]!.cpu,
      )
        .filter((name) => name !== 'machine')
        .map(
          (name) =>
            `${name} ${spread(
              e.runs.map((r) => r.cpu[name]! * 100),
              0,
            )}%`,
        )
        .join(
          ', ',
        )}. Busiest: ${e.runs.map((r) => busiest(r.cpu)[0]).join(', ')}.${machineLine(e.runs)}${gatewayLine(e.runs)}`,
      '',
    );
  }
  return lines.join('\n');
}

/** The whole machine's busy share and what of it the platform did not use (k6 above all), for runs that kept it. */
/** The gateway's own view of browsing, for runs that kept it. */
function gatewayLine(runs: LoadRun[]): string {
  if (!runs.every((r) => r.gateway !== undefined)) return '';
  return (
    ` Inside the gateway (its own histogram, from receipt to answer): browse calls p95 at most` +
    ` ${spread(runs.map((r) => r.gateway!.browseP95AtMostMs))} ms; its event loop's delay p99` +
    ` ${spread(runs.map((r) => r.gateway!.eventLoopP99Ms))} ms.`
  );
}

function machineLine(runs: LoadRun[]): string {
  if (!runs.every((r) => r.cpu.machine !== undefined)) return '';
  const platform = (r: LoadRun) =>
    Object.entries(r.cpu).reduce((sum, [name, share]) => (name === 'machine' ? sum : sum + share), 0);
  const pct = (pick: (r: LoadRun) => number) => `${spread(runs.map((r) => pick(r) * 100))}%`;
  return (
    ` The whole machine: ${pct((r) => r.cpu.machine!)} busy (of ${os.cpus().length * 100}%), the platform` +
    ` ${pct(platform)}, k6 and the rest ${pct((r) => r.cpu.machine! - platform(r))}.`
  );
}
