/* eslint-disable no-console -- a command-line tool talks to its terminal */
/**
 * `npm run bench -- <name> [options]`: runs one benchmark, keeps its raw figures in bench/results/<name>.json
 * (per label, so before/after runs of different checkouts sit side by side) and rewrites its section of
 * docs/benchmarks.md from them.
 *
 *   footprint [--repo <checkout>] [--label <text>] [--runs 3] [--idle 300]
 *   gateway [--label <text>] [--runs 3] [--duration 15] [--rate 500] [--order-rate 500] [--rate-warmup 3]
 *        [--lock /work/bench.lock] [--render-only]   (--rate-warmup: seconds at the fixed rate before its window)
 *   gateway-profile [--duration 20] [--scenario product|order] [--target gateway|gateway-forward|direct] [--rate <req/s>]
 *        [--lock /work/bench.lock]
 *        (a CPU profile of the gateway under load, summed up; gateway-forward: edge cache bypassed;
 *        --target direct: the service, called directly; --rate: open loop at that rate instead of wrk at saturation)
 *   gateway-tail [--scenario order|product] [--targets direct,gateway] [--rate 500] [--duration 15] [--rate-warmup 3]
 *        [--saturation 15] [--share 0.01] [--lock /work/bench.lock]
 *        (the slowest calls at the fixed rate, each matched with the gateway's and the service's access lines and
 *        with both processes' GC pauses and event-loop stalls; printed only)
 *   saga [--label <text>] [--runs 3] [--rates 10,25,50,100] [--duration 60] [--customers 20] [--stored 20000]
 *        [--quick] [--lock /work/bench.lock]   (--quick: one run, one rate, 10 s, 2,000 stored orders, 10 s idle)
 *   node-flags [--rounds 3] [--duration 10] [--idle 60] [--lock /work/bench.lock]
 *        (the product service as the image runs it, with smaller young generations and with --optimize-for-size,
 *        side by side: idle RSS, throughput, CPU)
 *   saga-profile [--rate 10] [--duration 20] [--cpu-prof] [--lock /work/bench.lock]
 *        (CPU per order by process, CPU profiles summed up; printed only)
 *   load [--label <text>] [--runs 3] [--vus 1000] [--time-scale 1] [--quick] [--lock /work/bench.lock]
 *        (k6/load.js; --quick: one run at 50 VUs and 0.1x the durations, printed, not saved)
 *   edge-compression [--rounds 3] [--hits 20000] [--lock /work/bench.lock]
 *        (CPU per edge-cache hit on a catalogue page for a client accepting nothing, br or gzip; printed only;
 *        needs `npm run infra:up`)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { codings, measureEdgeCompression, type Coding } from './edge-compression';
import { measureFootprint, productionDependencyMb, type FootprintRun } from './footprint';
import { formatSummary, summariseProfile } from './cpu-profile';
import { diagnoseTail, formatTail } from './gateway-tail';
import {
  measureGateway,
  profileGateway,
  scenarios,
  scenarioTitles,
  targets,
  type GatewayRun,
  type Scenario,
  type LoadFigures,
  type Target,
} from './gateway';
import { deployables } from './platform';
import { machine, provenance, save, saved, spread, writeSection, type Labelled } from './report';
import { measureSaga, type SagaRun, type SagaSettings } from './saga';
import { renderSaga } from './saga-report';
import { profileSaga } from './saga-profile';
import { measureNodeFlags, renderNodeFlags } from './node-flags';
import { measureLoad, renderLoad, type LoadRun } from './load';

const root = path.resolve(__dirname, '..');

function renderFootprint(entries: Array<Labelled<FootprintRun>>): string {
  const lines: string[] = [];
  for (const e of entries) {
    const deps = e.extra?.dependencyMb as Record<string, number>;
    // Runs since 2026-11-30's third session also record RSS one minute in, its anonymous part and the settled RSS.
    const settled = e.runs.every((r) => deployables.every((d) => r.deployables[d.name].rssAfterMinuteMb !== undefined));
    lines.push(
      `### ${e.label}`,
      '',
      `${e.date}, commit ${e.commit}, Node ${e.node}, ${e.machine}. \`${e.command}\`; ${e.runs.length} cold starts, median (min-max).`,
      '',
      ...(settled
        ? [
            `| deployable | production deps MB | start to ready ms | RSS MB after 1 min idle | RSS MB settled (end of the window) | of which anonymous MB | idle CPU % of a core |`,
            '|---|---|---|---|---|---|---|',
          ]
        : [
            '| deployable | production deps MB | start to ready ms | idle RSS MB | idle CPU % of a core |',
            '|---|---|---|---|---|',
          ]),
      ...deployables.map((d) => {
        const samples = e.runs.map((r) => r.deployables[d.name]);
        const rss = settled
          ? [samples.map((s) => s.rssAfterMinuteMb!), samples.map((s) => s.rssMb), samples.map((s) => s.anonMb!)]
          : [samples.map((s) => s.rssMb)];
        return `| ${d.name} | ${deps[d.name]!.toFixed(0)} | ${spread(samples.map((s) => s.startToReadyMs))} | ${rss.map((r) => spread(r)).join(' | ')} | ${spread(
          samples.map((s) => s.idleCpu * 100),
          1,
        )} |`;
      }),
      '',
      `Idle CPU of the infrastructure in the same window (% of a core): ${Object.keys(e.runs[0]!.infraCpu)
        .map(
          (k) =>
            `${k} ${spread(
              e.runs.map((r) => r.infraCpu[k]! * 100),
              1,
            )}`,
        )
        .join(', ')}.`,
      '',
    );
  }
  return lines.join('\n');
}

async function footprint(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string', default: root },
      label: { type: 'string', default: 'current' },
      runs: { type: 'string', default: '3' },
      idle: { type: 'string', default: '300' },
    },
  });
  const repo = path.resolve(values.repo);
  if (Number(values.idle) < 60) throw new Error('--idle: at least 60 s (RSS is read one minute in and at the end)');
  const runs: FootprintRun[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    console.log(`footprint: cold start ${i + 1} of ${values.runs} in ${repo}`);
    runs.push(await measureFootprint(repo, Number(values.idle)));
    console.log(JSON.stringify(runs.at(-1)));
  }
  const dependencyMb = Object.fromEntries(deployables.map((d) => [d.name, productionDependencyMb(repo, d.workspace)]));
  const entries = save('footprint', {
    label: values.label,
    date: new Date().toISOString().slice(0, 10),
    machine: machine(),
    node: execFileSync('node', ['--version']).toString().trim(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo }).toString().trim(),
    command: `npm run bench -- footprint --runs ${values.runs} --idle ${values.idle}${values.repo === root ? '' : ' --repo <checkout>'}`,
    runs,
    extra: { dependencyMb },
  });
  writeSection('footprint', renderFootprint(entries));
  console.log(renderFootprint(entries.filter((e) => e.label === values.label)));
}

/**
 * Runs this very command again under `flock <lock>` unless it already holds the lock, so two benchmarks on a
 * shared machine never measure at the same time (the second waits). Returns false in the parent, which exits.
 */
function holdLock(lock: string): boolean {
  if (process.env.PLATFORM_BENCH_LOCK === lock) return true;
  console.log(`waiting for the benchmark lock ${lock}`);
  const child = spawnSync('flock', [lock, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, PLATFORM_BENCH_LOCK: lock },
  });
  process.exitCode = child.status ?? 1;
  return false;
}

function gatewayRows(e: Labelled<GatewayRun>, scenario: (typeof scenarios)[number]): string[] {
  const pick = (target: Target, f: (l: { saturation: LoadFigures; fixed: LoadFigures }) => number) =>
    e.runs.map((r) => f(r[scenario][target]));
  const direct = (f: (l: { saturation: LoadFigures; fixed: LoadFigures }) => number) => pick('direct', f);
  // Runs saved before a target existed (the `node` floor came later) have no figures for it.
  return targets
    .filter((target) => e.runs.every((r) => r[scenario][target]))
    .map((target) => {
      const ratio = pick(target, (l) => l.saturation.rps).map((rps, i) => rps / direct((l) => l.saturation.rps)[i]!);
      const addedP50 = pick(target, (l) => l.fixed.p50Ms).map((v, i) => v - direct((l) => l.fixed.p50Ms)[i]!);
      const addedP99 = pick(target, (l) => l.fixed.p99Ms).map((v, i) => v - direct((l) => l.fixed.p99Ms)[i]!);
      const proxy = target === 'direct' ? undefined : target;
      // CPU ms per request of one process; '-' where a run has none (system time came later).
      const msPerRequest = (
        phase: 'saturation' | 'fixed',
        field: 'cpuMsPerRequest' | 'systemMsPerRequest',
        name: string,
      ) => {
        const values = pick(target, (l) => l[phase][field]?.[name] ?? NaN);
        return values.some(Number.isNaN) ? '-' : spread(values, 3);
      };
      const cpuAt = (phase: 'saturation' | 'fixed', name: string) => msPerRequest(phase, 'cpuMsPerRequest', name);
      const cpu = (name: string) => cpuAt('saturation', name);
      const system = (name: string) => msPerRequest('saturation', 'systemMsPerRequest', name);
      const errors = e.runs.reduce(
        (sum, r) => sum + r[scenario][target].saturation.errors + r[scenario][target].fixed.errors,
        0,
      );
      return [
        `| ${target}`,
        spread(pick(target, (l) => l.saturation.rps)),
        target === 'direct' ? '1' : spread(ratio, 2),
        `${spread(
          pick(target, (l) => l.saturation.p50Ms),
          1,
        )} / ${spread(
          pick(target, (l) => l.saturation.p99Ms),
          1,
        )}`,
        `${spread(
          pick(target, (l) => l.fixed.p50Ms),
          2,
        )} / ${spread(
          pick(target, (l) => l.fixed.p99Ms),
          2,
        )}`,
        target === 'direct' ? '-' : `${spread(addedP50, 2)} / ${spread(addedP99, 2)}`,
        proxy ? cpu(proxy) : '-',
        cpu('service'),
        `${proxy ? system(proxy) : '-'} / ${system('service')}`,
        `${proxy ? cpuAt('fixed', proxy) : '-'} / ${cpuAt('fixed', 'service')}`,
        `${errors} |`,
      ].join(' | ');
    });
}

function renderGateway(entries: Array<Labelled<GatewayRun>>): string {
  const lines: string[] = [];
  for (const e of entries) {
    const options = e.extra as {
      saturationSec: number;
      fixedSec: number;
      rate: number;
      orderRate?: number;
      connections: number;
      fixedWarmupSec?: number;
    };
    // Entries from before --order-rate ran both reads at `rate`.
    const rateOf = (scenario: (typeof scenarios)[number]) =>
      scenario === 'order' ? (options.orderRate ?? options.rate) : options.rate;
    lines.push(
      `### ${e.label}`,
      '',
      `${e.date}, commit ${e.commit}, Node ${e.node}, ${e.machine}. \`${e.command}\`; ${e.runs.length} runs, median (min-max). ` +
        `Saturation: \`wrk -t1 -c${options.connections} -d${options.saturationSec}s\` after a warm-up; fixed rate: ` +
        `${rateOf('product')} (product read) and ${rateOf('order')} (order read) requests/s for ${options.fixedSec} s${
          options.fixedWarmupSec ? ` after ${options.fixedWarmupSec} s at that rate, not counted` : ''
        }, open loop. CPU: ms of CPU per request of the proxy ` +
        '(gateway, nginx worker or the bare Node proxy of bench/floor-proxy.ts) and of the service behind it (/proc utime + stime), ' +
        'at saturation and at the fixed rate, and the system (stime) part of it at saturation where measured. At saturation a ' +
        'slower target also pays more system time per answer for waking wrk, which waits more often in front of it; at the ' +
        'fixed rate every target wakes its client alike.',
      '',
    );
    for (const scenario of scenarios) {
      lines.push(
        `${scenarioTitles[scenario]}:`,
        '',
        '| target | req/s at saturation | × direct | p50 / p99 ms at saturation | p50 / p99 ms at ' +
          `${rateOf(scenario)}/s | added p50 / p99 ms at ${rateOf(scenario)}/s | proxy CPU ms/req | service CPU ms/req | ` +
          `of which system: proxy / service | proxy / service CPU ms/req at ${rateOf(scenario)}/s | non-2xx |`,
        '|---|---|---|---|---|---|---|---|---|---|---|',
        ...gatewayRows(e, scenario),
        '',
      );
    }
  }
  return lines.join('\n');
}

async function gateway(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      label: { type: 'string', default: 'current' },
      runs: { type: 'string', default: '3' },
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '5' },
      'rate-warmup': { type: 'string', default: '3' },
      rate: { type: 'string', default: '500' },
      'order-rate': { type: 'string', default: '500' },
      connections: { type: 'string', default: '50' },
      lock: { type: 'string', default: '/work/bench.lock' },
      // Writes the tables anew from bench/results/gateway.json, measuring nothing (after a change to their layout).
      'render-only': { type: 'boolean', default: false },
    },
  });
  if (values['render-only']) {
    writeSection('gateway', renderGateway(saved<GatewayRun>('gateway')));
    return;
  }
  if (!holdLock(values.lock)) return;
  const options = {
    runs: Number(values.runs),
    saturationSec: Number(values.duration),
    fixedSec: Number(values.duration),
    warmupSec: Number(values.warmup),
    fixedWarmupSec: Number(values['rate-warmup']),
    rate: Number(values.rate),
    orderRate: Number(values['order-rate']),
    connections: Number(values.connections),
  };
  const runs = await measureGateway({
    ...options,
    workDir: path.join(root, '.local', 'bench', 'gateway'),
    log: (line) => console.log(line),
  });
  const entries = save('gateway', {
    label: values.label,
    date: new Date().toISOString().slice(0, 10),
    machine: machine(),
    node: execFileSync('node', ['--version']).toString().trim(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim(),
    command: `npm run bench -- gateway --runs ${values.runs} --duration ${values.duration} --rate ${values.rate} --order-rate ${values['order-rate']} --rate-warmup ${values['rate-warmup']}`,
    runs,
    extra: options,
  });
  writeSection('gateway', renderGateway(entries));
  console.log(renderGateway(entries.filter((e) => e.label === values.label)));
}

async function gatewayProfile(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '20' },
      connections: { type: 'string', default: '50' },
      scenario: { type: 'string' },
      target: { type: 'string', default: 'gateway' },
      rate: { type: 'string' },
      lock: { type: 'string', default: '/work/bench.lock' },
    },
  });
  const only = values.scenario;
  const target = values.target;
  if (target !== 'gateway' && target !== 'gateway-forward' && target !== 'direct') {
    throw new Error('--target is gateway, gateway-forward or direct');
  }
  if (only !== undefined && !(scenarios as readonly string[]).includes(only)) {
    throw new Error(`--scenario is one of ${scenarios.join(', ')}`);
  }
  if (!holdLock(values.lock)) return;
  const { profile, figures } = await profileGateway({
    workDir: path.join(root, '.local', 'bench', 'gateway-profile'),
    seconds: Number(values.duration),
    connections: Number(values.connections),
    scenarios: only === undefined ? scenarios : [only as Scenario],
    target,
    ...(values.rate === undefined ? {} : { rate: Number(values.rate) }),
    log: (line) => console.log(line),
  });
  console.log(`profile: ${profile}`);
  console.log(JSON.stringify(figures));
  console.log(formatSummary(summariseProfile(profile)));
}

async function gatewayTail(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'order' },
      targets: { type: 'string', default: 'direct,gateway' },
      rate: { type: 'string', default: '500' },
      duration: { type: 'string', default: '15' },
      'rate-warmup': { type: 'string', default: '3' },
      saturation: { type: 'string', default: '15' },
      share: { type: 'string', default: '0.01' },
      connections: { type: 'string', default: '50' },
      lock: { type: 'string', default: '/work/bench.lock' },
    },
  });
  const scenario = values.scenario as Scenario;
  if (!scenarios.includes(scenario)) throw new Error(`--scenario is one of ${scenarios.join(', ')}`);
  const tailTargets = values.targets.split(',');
  const known = ['direct', 'gateway', 'gateway-forward'] as const;
  if (!tailTargets.every((t) => (known as readonly string[]).includes(t))) {
    throw new Error(`--targets: a comma-separated list of ${known.join(', ')}`);
  }
  if (!holdLock(values.lock)) return;
  const options = {
    workDir: path.join(root, '.local', 'bench', 'gateway-tail'),
    log: (line: string) => console.log(line),
    connections: Number(values.connections),
    scenario,
    targets: tailTargets as Array<(typeof known)[number]>,
    rate: Number(values.rate),
    seconds: Number(values.duration),
    warmupSec: Number(values['rate-warmup']),
    saturationSec: Number(values.saturation),
    share: Number(values.share),
  };
  console.log(formatTail(await diagnoseTail(options), options));
}

async function saga(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      label: { type: 'string', default: 'current' },
      runs: { type: 'string', default: '3' },
      rates: { type: 'string', default: '10,25,50,100' },
      duration: { type: 'string', default: '60' },
      customers: { type: 'string', default: '20' },
      stored: { type: 'string', default: '20000' },
      quick: { type: 'boolean', default: false },
      lock: { type: 'string', default: '/work/bench.lock' },
    },
  });
  if (!holdLock(values.lock)) return;
  const quick = values.quick;
  const extra: SagaSettings = {
    seconds: quick ? 10 : Number(values.duration),
    customers: Number(values.customers),
    storedOrders: quick ? 2_000 : Number(values.stored),
    storedRate: 50,
    idleSeconds: quick ? 10 : 30,
    outageSeconds: 20,
    outageRate: 10,
    finalWithinSeconds: 30,
  };
  const rates = (quick ? '50' : values.rates).split(',').map(Number);
  const entry = (runs: SagaRun[]): Labelled<SagaRun> => ({
    label: quick ? 'quick' : values.label,
    ...provenance(),
    command: quick
      ? 'npm run bench -- saga --quick'
      : `npm run bench -- saga --runs ${values.runs} --rates ${rates.join(',')} --duration ${extra.seconds}`,
    runs,
    extra: { ...extra },
  });
  // Saved and written after every run; a smoke run's figures are only printed.
  const saveRuns = (runs: SagaRun[]) => {
    if (!quick) writeSection('saga', renderSaga(save('saga', entry(runs))));
  };
  const runs = await measureSaga(
    {
      ...extra,
      runs: quick ? 1 : Number(values.runs),
      rates,
      workDir: path.join(root, '.local', 'bench', 'saga'),
      log: (line) => console.log(line),
    },
    saveRuns,
  );
  console.log(renderSaga([entry(runs)]));
}

async function sagaProfile(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string', default: '10' },
      duration: { type: 'string', default: '20' },
      customers: { type: 'string', default: '20' },
      'cpu-prof': { type: 'boolean', default: false },
      lock: { type: 'string', default: '/work/bench.lock' },
    },
  });
  if (!holdLock(values.lock)) return;
  await profileSaga({
    rate: Number(values.rate),
    seconds: Number(values.duration),
    customers: Number(values.customers),
    cpuProfile: values['cpu-prof'],
    workDir: path.join(root, '.local', 'bench', 'saga-profile'),
    log: (line) => console.log(line),
  });
}

async function nodeFlags(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
      idle: { type: 'string', default: '60' },
      lock: { type: 'string', default: '/work/bench.lock' },
    },
  });
  if (!holdLock(values.lock)) return;
  const loadBefore = os.loadavg()[0]!;
  const figures = await measureNodeFlags({
    variants: [
      { name: 'image', flags: [] },
      { name: 'semi-space 2 MB', flags: ['--max-semi-space-size=2'] },
      { name: 'semi-space 1 MB', flags: ['--max-semi-space-size=1'] },
      { name: 'optimize-for-size', flags: ['--optimize-for-size'] },
    ],
    rounds: Number(values.rounds),
    seconds: Number(values.duration),
    idleSeconds: Number(values.idle),
    workDir: path.join(root, '.local', 'bench', 'node-flags'),
    log: (line) => console.log(line),
  });
  const markdown = renderNodeFlags(figures, {
    ...provenance(),
    command: `npm run bench -- node-flags --rounds ${values.rounds} --duration ${values.duration} --idle ${values.idle}`,
    load: `${loadBefore.toFixed(1)} before, ${os.loadavg()[0]!.toFixed(1)} after`,
  });
  writeSection('node-flags', markdown);
  console.log(markdown);
}

async function load(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      label: { type: 'string', default: 'current' },
      runs: { type: 'string', default: '3' },
      vus: { type: 'string', default: '1000' },
      'time-scale': { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      lock: { type: 'string', default: '/work/bench.lock' },
    },
  });
  const numbers = { runs: Number(values.runs), vus: Number(values.vus), timeScale: Number(values['time-scale']) };
  for (const [name, value] of Object.entries(numbers)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  }
  if (!holdLock(values.lock)) return;
  const quick = values.quick;
  const settings = quick
    ? { runs: 1, vuScale: 0.05, timeScale: 0.1 }
    : { runs: numbers.runs, vuScale: numbers.vus / 1000, timeScale: numbers.timeScale };
  const runs = await measureLoad({
    ...settings,
    workDir: path.join(root, '.local', 'bench', 'load'),
    log: (line) => console.log(line),
  });
  const entry: Labelled<LoadRun> = {
    label: quick ? 'quick' : values.label,
    ...provenance(),
    command: quick
      ? 'npm run bench -- load --quick'
      : `npm run bench -- load --runs ${settings.runs} --vus ${numbers.vus} --time-scale ${settings.timeScale}`,
    runs,
    extra: { vuScale: settings.vuScale, timeScale: settings.timeScale },
  };
  if (!quick) writeSection('load', renderLoad(save('load', entry)));
  console.log(renderLoad([entry]));
}

async function edgeCompression(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '3' },
      hits: { type: 'string', default: '20000' },
      lock: { type: 'string', default: '/work/bench.lock' },
    },
  });
  if (!holdLock(values.lock)) return;
  const rounds = await measureEdgeCompression({
    rounds: Number(values.rounds),
    hits: Number(values.hits),
    log: (line) => console.log(line),
  });
  const { machine: host, commit } = provenance();
  console.log(`\n${host}, Node ${process.version}, commit ${commit}`);
  console.log('| client accepts | CPU ms per hit, median (min-max) | body bytes sent |');
  console.log('|---|---|---|');
  for (const coding of Object.keys(codings) as Coding[]) {
    const cpu = rounds.map((r) => r.cpuMsPerHit[coding]);
    console.log(`| ${coding} | ${spread(cpu, 3)} | ${rounds[0]!.sentBytes[coding]} |`);
  }
}

const benchmarks: Record<string, (argv: string[]) => Promise<void>> = {
  footprint,
  load,
  gateway,
  'gateway-profile': gatewayProfile,
  'gateway-tail': gatewayTail,
  'saga-profile': sagaProfile,
  'node-flags': nodeFlags,
  'edge-compression': edgeCompression,
  saga,
};

const [name, ...rest] = process.argv.slice(2);
const bench = name ? benchmarks[name] : undefined;
if (!bench) {
  console.error(`usage: npm run bench -- <${Object.keys(benchmarks).join('|')}> [options]`);
  process.exit(2);
}
bench(rest).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
