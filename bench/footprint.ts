/**
 * Footprint of each deployable as a new user meets it: `npm run up` in a checkout, then for each deployable
 * the time from its process start to its first ready answer, its CPU over an idle window, and its RSS twice: one
 * minute into the window and at its end. An idle Node process sheds 10-16 MB some minutes after its start, when V8's
 * memory reducer runs its compacting collections (docs/benchmarks.md), so the settled figure needs a window of a
 * few minutes (default 300 s).
 * Also the installed size of each deployable's production dependencies. The checkout is a parameter, so an
 * older commit (another worktree, another Node on PATH) is measured by the same code: before/after tables.
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deployables, type Deployable } from './platform';

export interface FootprintSample {
  /** ms from the process start to its first 200 on /health/ready */
  startToReadyMs: number;
  /** RSS at the end of the idle window: the settled figure */
  rssMb: number;
  /** RSS one minute into the idle window (absent from runs before 2026-11-30's third session) */
  rssAfterMinuteMb?: number;
  /** the anonymous (private) part of rssMb; the rest is the node binary's shared, file-backed pages */
  anonMb?: number;
  /** share of one core over the idle window */
  idleCpu: number;
}

export interface FootprintRun {
  deployables: Record<Deployable, FootprintSample>;
  /** Kafka, the database and Redis over the same idle window, each as a share of one core */
  infraCpu: Record<string, number>;
}

const infraPorts: Record<string, number> = { kafka: 19092, database: 27027, redis: 16379 };
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const bootTimeMs = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))![1]) * 1000;

/** The pid listening on a loopback port (ss from iproute2). */
function pidOnPort(port: number): number | undefined {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`]).toString();
  const match = /pid=(\d+)/.exec(out);
  return match ? Number(match[1]) : undefined;
}

function procStat(pid: number): { cpuTicks: number; startMs: number } {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  return {
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    startMs: bootTimeMs + (Number(fields[19]) / clockTicks) * 1000,
  };
}

/** RSS and its anonymous part, in MB (smaps_rollup: Rss counts the shared pages of the mapped node binary too). */
function memoryMb(pid: number): { rss: number; anon: number } {
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(rollup)![1]);
  return { rss: kb('Rss') / 1024, anon: kb('Anonymous') / 1024 };
}

/** Starts counting the CPU of each process; the function it returns gives each one's share of a core since then. */
function cpuMeter(pids: Record<string, number>): (seconds: number) => Record<string, number> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procStat(pid).cpuTicks]));
  return (seconds) =>
    Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => [k, (procStat(pid).cpuTicks - before[k]!) / clockTicks / seconds]),
    );
}

/** One cold start of the platform in `repo` (its own `npm run up`), measured, then stopped with Ctrl-C's signal. */
export async function measureFootprint(repo: string, idleSeconds: number): Promise<FootprintRun> {
  const busy = deployables.filter((d) => pidOnPort(d.port) !== undefined);
  if (busy.length > 0) throw new Error(`ports in use, stop what listens there first: ${busy.map((d) => d.port)}`);
  const launcher = spawn('npm', ['run', 'up'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  launcher.stdout.on('data', (c: Buffer) => (output += c.toString()));
  launcher.stderr.on('data', (c: Buffer) => (output += c.toString()));
  try {
    const readyAt: Partial<Record<Deployable, number>> = {};
    const deadline = Date.now() + 300_000;
    while (Object.keys(readyAt).length < deployables.length) {
      if (Date.now() > deadline || launcher.exitCode !== null) throw new Error(`platform did not start:\n${output}`);
      await Promise.all(
        deployables
          .filter((d) => readyAt[d.name] === undefined)
          .map(async (d) => {
            const ok = await fetch(`http://127.0.0.1:${d.port}/health/ready`).then(
              (r) => r.ok,
              () => false,
            );
            if (ok) readyAt[d.name] = Date.now();
          }),
      );
      await sleep(50);
    }
    const pids = Object.fromEntries(deployables.map((d) => [d.name, pidOnPort(d.port)!])) as Record<Deployable, number>;
    const infraPids = Object.fromEntries(Object.entries(infraPorts).map(([k, port]) => [k, pidOnPort(port)!]));
    // Let start-up work (JIT, first connections, consumer group joins) settle before the idle window.
    await sleep(15_000);
    const cpuSince = cpuMeter({ ...pids, ...infraPids });
    await sleep(60_000);
    const afterMinute = Object.fromEntries(deployables.map((d) => [d.name, memoryMb(pids[d.name]).rss]));
    await sleep((idleSeconds - 60) * 1000);
    const cpu = cpuSince(idleSeconds);
    const result = Object.fromEntries(
      deployables.map((d) => {
        const settled = memoryMb(pids[d.name]);
        const sample: FootprintSample = {
          startToReadyMs: readyAt[d.name]! - procStat(pids[d.name]).startMs,
          rssMb: settled.rss,
          rssAfterMinuteMb: afterMinute[d.name],
          anonMb: settled.anon,
          idleCpu: cpu[d.name]!,
        };
        return [d.name, sample];
      }),
    ) as Record<Deployable, FootprintSample>;
    return { deployables: result, infraCpu: Object.fromEntries(Object.keys(infraPorts).map((k) => [k, cpu[k]!])) };
  } finally {
    process.kill(-launcher.pid!, 'SIGINT');
    await new Promise((resolve) => (launcher.exitCode !== null ? resolve(null) : launcher.once('exit', resolve)));
    await stopLeftovers();
  }
}

/** Whatever still listens on a deployable's port once the launcher is gone: SIGTERM, then SIGKILL after 20 s. */
async function stopLeftovers(): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const pids = deployables.map((d) => pidOnPort(d.port)).filter((p) => p !== undefined);
    if (pids.length === 0) return;
    for (const pid of pids) process.kill(pid, signal);
    for (let i = 0; i < 40 && deployables.some((d) => pidOnPort(d.port) !== undefined); i++) await sleep(500);
  }
}

/** Bytes of a package folder without its nested node_modules (those are counted as packages of their own). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

/** MB on disk of the production dependency tree of a workspace (what its image's `npm ci --omit=dev` installs). */
export function productionDependencyMb(repo: string, workspace: string): number {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable', '--workspace', workspace], {
    cwd: repo,
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
  const dirs = new Set(out.split('\n').filter((d) => d.includes(`${path.sep}node_modules${path.sep}`)));
  let bytes = 0;
  for (const dir of dirs) bytes += fs.realpathSync(dir).includes('node_modules') ? folderBytes(dir) : 0;
  return bytes / 1024 / 1024;
}
