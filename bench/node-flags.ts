/**
 * What a V8 flag costs and saves (`npm run bench -- node-flags`): the product service run by the images' command,
 * once as is and once per variant with extra flags, side by side on one platform (same database, Redis, broker and
 * data): each instance's RSS after an idle minute, then, in rounds that alternate between the instances, its
 * saturation throughput and latency on the cached product read (`wrk -t1 -c50`) and its CPU per request. Ratios
 * within one run are what compare on a shared machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { imageCommand, serviceDir, serviceEnv } from '../packages/local-infra/src/services';
import { infraEnv, localInfra } from '../packages/local-infra/src/index';
import { adminToken, benchPorts, startBenchPlatform, stockedProduct } from './bench-platform';
import { runWrk } from './gateway';
import { clockTicks, cpuTicks } from './proc';
import { spread } from './report';

export interface FlagVariant {
  name: string;
  /** Added after the image's own V8 flags, before `--import` (V8 takes the last value of a flag given twice). */
  flags: string[];
}

export interface VariantFigures {
  name: string;
  flags: string[];
  idleRssMb: number;
  rps: number[];
  p99Ms: number[];
  cpuMsPerRequest: number[];
}

export interface NodeFlagsOptions {
  variants: FlagVariant[];
  rounds: number;
  seconds: number;
  idleSeconds: number;
  workDir: string;
  log(line: string): void;
}

const ports = benchPorts(3400, 9500);

function rssMb(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
    if (child.exitCode !== null) throw new Error(`${url}: exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
  }
  throw new Error(`${url} not ready after 60 s`);
}

/** The caller holds the benchmark lock. */
export async function measureNodeFlags(options: NodeFlagsOptions): Promise<VariantFigures[]> {
  const namespace = `bench_flags_${Date.now().toString(36)}`;
  const platform = await startBenchPlatform({
    ports,
    workDir: path.join(options.workDir, 'platform'),
    namespace,
    log: options.log,
  });
  const children: ChildProcess[] = [];
  try {
    const admin = await adminToken(platform);
    const product = await stockedProduct(platform, admin, 1);
    const env = serviceEnv('product', {
      infra: infraEnv(localInfra()),
      ports: ports.services,
      secrets: platform.secrets,
      namespace,
    });
    const instances = options.variants.map((variant, i) => {
      const port = 3420 + i;
      const out = fs.openSync(path.join(options.workDir, `${variant.name}.log`), 'w');
      const at = imageCommand.indexOf('--import');
      const args = [...imageCommand.slice(0, at), ...variant.flags, ...imageCommand.slice(at)];
      const child = spawn(process.execPath, args, {
        cwd: serviceDir('product'),
        env: { PATH: process.env.PATH, ...env, PORT: String(port), METRICS_PORT: String(9520 + i) },
        stdio: ['ignore', out, out],
      });
      children.push(child);
      return { variant, child, url: `http://127.0.0.1:${port}` };
    });
    await Promise.all(instances.map(({ url, child }) => waitReady(url, child)));
    options.log(`${instances.length} product instances ready; idle ${options.idleSeconds} s`);
    await sleep(options.idleSeconds * 1000);
    const figures: VariantFigures[] = instances.map(({ variant, child }) => ({
      name: variant.name,
      flags: variant.flags,
      idleRssMb: rssMb(child.pid!),
      rps: [],
      p99Ms: [],
      cpuMsPerRequest: [],
    }));
    const read = `/products/${product.id}`;
    for (let round = 1; round <= options.rounds; round++) {
      // Alternating order, so neither variant always follows the other's heat.
      const order = round % 2 === 1 ? instances : [...instances].reverse();
      for (const { url, child, variant } of order) {
        runWrk(`${url}${read}`, {}, 3, 50); // warm-up
        const before = cpuTicks(child.pid!);
        const result = runWrk(`${url}${read}`, {}, options.seconds, 50);
        const cpuMs = ((cpuTicks(child.pid!) - before) / clockTicks) * 1000;
        if (result.errors > 0) throw new Error(`${variant.name}: ${result.errors} errors under load`);
        const f = figures.find((x) => x.name === variant.name)!;
        f.rps.push(result.rps);
        f.p99Ms.push(result.p99Ms);
        f.cpuMsPerRequest.push(cpuMs / result.requests);
        options.log(
          `round ${round} ${variant.name}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(1)} ms, ` +
            `${(cpuMs / result.requests).toFixed(3)} ms CPU/request`,
        );
      }
    }
    return figures;
  } finally {
    children.forEach((c) => c.kill('SIGTERM'));
    await platform.stop();
  }
}

export function renderNodeFlags(
  figures: VariantFigures[],
  meta: { date: string; machine: string; node: string; commit: string; command: string; load: string },
): string {
  const base = figures[0]!;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return [
    '### V8 flags on the product service',
    '',
    `${meta.date}, commit ${meta.commit}, Node ${meta.node}, ${meta.machine}. \`${meta.command}\`; load average ${meta.load}.`,
    'Instances side by side on one platform; throughput, latency and CPU are median (min-max) of the rounds.',
    '',
    '| variant | flags added to the image command | idle RSS MB | req/s | vs first | p99 ms | CPU ms/request |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...figures.map(
      (f) =>
        `| ${f.name} | ${f.flags.length > 0 ? `\`${f.flags.join(' ')}\`` : '(none)'} | ${f.idleRssMb.toFixed(0)} | ` +
        `${spread(f.rps)} | ${(median(f.rps) / median(base.rps)).toFixed(2)}x | ${spread(f.p99Ms, 1)} | ` +
        `${spread(f.cpuMsPerRequest, 3)} |`,
    ),
  ].join('\n');
}
