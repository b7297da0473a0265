/**
 * Where an order's cost goes (`npm run bench -- saga-profile`): the saga benchmark's platform at one steady rate,
 * with the CPU each process spends per order and, with `--cpu-prof`, a CPU profile of each Node deployable summed
 * up by area. What to optimise, found by measuring rather than by guessing; the figures are printed, not written
 * to the docs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeployableName } from '../packages/local-infra/src/services';
import { startBenchPlatform } from './bench-platform';
import { formatSummary, summariseProfile } from './cpu-profile';
import { startSagaInfra } from './saga-infra';
import { idleCpu, measureRate, ports, prepare, type Fixture, type RateFigures } from './saga';

export interface SagaProfileOptions {
  rate: number;
  seconds: number;
  customers: number;
  /** Write and sum up a CPU profile of each Node deployable. */
  cpuProfile: boolean;
  workDir: string;
  log(line: string): void;
}

/**
 * CPU per final order, over the whole window (the load and its drain), and the same less what each process spends
 * with no traffic at all (heartbeats, sweeps, metrics) over as long a time: the cost an order adds, which is what
 * decides the rate the platform can carry. At a low rate the idle share is a large part of the total.
 */
export function formatSagaProfile(figures: RateFigures, idle: Record<string, number>): string {
  const orders = Math.max(1, figures.confirmed + figures.rejected);
  const windowMs = figures.cpuWindowSeconds * 1000;
  const cpuMs = Object.entries(figures.cpu)
    .map(([name, share]) => {
      const total = (share * windowMs) / orders;
      return { name, total, added: total - ((idle[name] ?? 0) * windowMs) / orders };
    })
    .sort((a, b) => b.total - a.total);
  const sum = (key: 'total' | 'added') =>
    cpuMs.filter(({ name }) => name !== 'generator').reduce((acc, row) => acc + row[key], 0);
  return [
    `${figures.offered} offered, ${figures.accepted} accepted, ${figures.confirmed} confirmed, ${figures.rejected} rejected, ` +
      `${figures.pending} pending, ${figures.httpErrors} HTTP errors; POST -> final p50 ${figures.finalP50Ms.toFixed(0)} ms, ` +
      `p99 ${figures.finalP99Ms.toFixed(0)} ms; CPU window ${figures.cpuWindowSeconds.toFixed(1)} s`,
    `CPU per final order (ms): ${sum('total').toFixed(1)} in all but the generator, ${sum('added').toFixed(1)} above idle`,
    `  ${'process'.padEnd(10)} ${'all'.padStart(7)} ${'added'.padStart(7)} ${'idle % core'.padStart(12)}`,
    ...cpuMs.map(
      ({ name, total, added }) =>
        `  ${name.padEnd(10)} ${total.toFixed(1).padStart(7)} ${added.toFixed(1).padStart(7)} ${((idle[name] ?? 0) * 100).toFixed(1).padStart(12)}`,
    ),
  ].join('\n');
}

/** The caller holds the benchmark lock. */
export async function profileSaga(options: SagaProfileOptions): Promise<void> {
  const infra = await startSagaInfra(options.workDir, options.log);
  const namespace = `bench_sagaprof_${Date.now().toString(36)}`;
  const profileDir = path.join(options.workDir, 'profile');
  fs.rmSync(profileDir, { recursive: true, force: true });
  const deployables: DeployableName[] = ['gateway', 'user', 'product', 'order', 'inventory'];
  const profiled = options.cpuProfile
    ? Object.fromEntries(
        deployables.map((name) => [name, { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.join(profileDir, name)}` }]),
      )
    : {};
  try {
    const platform = await startBenchPlatform({
      ports,
      workDir: path.join(options.workDir, 'platform'),
      namespace,
      infra: infra.env,
      extra: { ...profiled, gateway: { SSE_MAX_STREAMS_PER_USER: '1000', ...profiled.gateway } },
      log: options.log,
    });
    let fixture: Fixture | undefined;
    try {
      fixture = await prepare(platform, options);
      options.log('warm-up, 10 orders/s for 5 s');
      await measureRate(fixture, 10, 5, 30);
      await infra.clearOrders(namespace, 60_000);
      await sleep(2_000);
      options.log('no traffic for 15 s (the idle baseline)');
      const idle = await idleCpu(15);
      options.log(`${options.rate} orders/s for ${options.seconds} s`);
      const figures = await measureRate(fixture, options.rate, options.seconds, 30);
      options.log(formatSagaProfile(figures, idle));
    } finally {
      await fixture?.gateway.close();
      await platform.stop();
    }
    if (options.cpuProfile) {
      for (const name of deployables) {
        const dir = path.join(profileDir, name);
        const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
        if (files.length === 0) continue;
        options.log(`\n== ${name} (${path.join(dir, files.sort().at(-1)!)})`);
        options.log(formatSummary(summariseProfile(path.join(dir, files.sort().at(-1)!), 15)));
      }
    }
  } finally {
    await infra.stop();
  }
}
