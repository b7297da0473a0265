import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export class InfraError extends Error {
  override name = 'InfraError';
}

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  /** Directory holding `<name>.pid` and `<name>.log`. */
  runDir: string;
  env?: NodeJS.ProcessEnv;
}

export function pidFile(spec: Pick<DaemonSpec, 'name' | 'runDir'>): string {
  return path.join(spec.runDir, `${spec.name}.pid`);
}

export function logFile(spec: Pick<DaemonSpec, 'name' | 'runDir'>): string {
  return path.join(spec.runDir, `${spec.name}.log`);
}

export function readPid(spec: Pick<DaemonSpec, 'name' | 'runDir'>): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(spec), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): pid is number {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is a live process running `command` (by the base name on its command line): a pid file left from
 * before a reboot may name a process of something else by now.
 */
export function runs(pid: number | undefined, command: string): pid is number {
  if (!isAlive(pid)) return false;
  const line = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).stdout ?? '';
  return line.includes(path.basename(command));
}

/**
 * Starts a process that outlives this one (own process group, output to its log file). Refuses while the pid file
 * names a live process: a second copy would fail on the same port, and its pid file would orphan the first.
 */
export function startDaemon(spec: DaemonSpec): number {
  const running = readPid(spec);
  if (runs(running, spec.command)) {
    throw new InfraError(
      `${spec.name} already runs as pid ${running} but does not answer (${logFile(spec)}); \`npm run infra:down\` stops it`,
    );
  }
  fs.mkdirSync(spec.runDir, { recursive: true });
  const out = fs.openSync(logFile(spec), 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  if (child.pid === undefined) throw new InfraError(`${spec.name}: could not start ${spec.command}`);
  child.unref();
  fs.writeFileSync(pidFile(spec), String(child.pid));
  return child.pid;
}

/** Callers of withLock in this process, per lock file: each waits for the one before it. */
const lockQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` holding the lock file `file`: one `up`, `down` or `reset` at a time per .local. Two at once (a test run
 * and a benchmark, say) would each find a component down and start it, and the second pid file would orphan the
 * first process, which then outlives `infra:down`. Callers in one process queue up; across processes the file,
 * created exclusively, holds its holder's pid, and a holder that died leaves a stale lock that the next caller takes
 * over. Not reentrant: `fn` must not ask for the same lock.
 */
export function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const mine = (lockQueues.get(file) ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => holdingLockFile(file, fn, timeoutMs));
  lockQueues.set(file, mine);
  return mine.finally(() => {
    if (lockQueues.get(file) === mine) lockQueues.delete(file);
  });
}

/**
 * Creates the lock file with our pid in it, or returns false when it exists. Written under a name of our own and
 * then hard-linked into place: the link is atomic and fails when the name is taken, so the lock is never seen
 * empty (a holder that died between creating and writing it would have left an empty file nobody could judge).
 */
function createLockFile(file: string): boolean {
  const mine = `${file}.${process.pid}`;
  fs.writeFileSync(mine, String(process.pid));
  try {
    fs.linkSync(mine, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

/** The holder's pid, 0 when the file is gone or does not name one. */
function lockHolder(file: string): number {
  try {
    const holder = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(holder) && holder > 0 ? holder : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

async function holdingLockFile<T>(file: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  while (!createLockFile(file)) {
    const holder = lockHolder(file);
    // No pid in it (never written so; released meanwhile), our own pid (left by an earlier run with this pid), or a
    // holder that is gone: stale, taken over.
    if (holder === 0 || holder === process.pid || !isAlive(holder)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new InfraError(`${file}: held by pid ${holder} for more than ${timeoutMs} ms`);
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopDaemon(spec: Pick<DaemonSpec, 'name' | 'runDir'>, graceMs = 20_000): Promise<boolean> {
  const pid = readPid(spec);
  if (!isAlive(pid)) {
    fs.rmSync(pidFile(spec), { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  fs.rmSync(pidFile(spec), { force: true });
  return true;
}

/** Polls `probe` until it resolves true; fails with the tail of the log when the process dies or time runs out. */
export async function waitUntilReady(
  spec: Pick<DaemonSpec, 'name' | 'runDir'>,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    const pid = readPid(spec);
    if (pid !== undefined && !isAlive(pid)) {
      throw new InfraError(`${spec.name} exited during start-up.\n${tail(logFile(spec))}`);
    }
    if (Date.now() > deadline) {
      throw new InfraError(`${spec.name} not ready after ${timeoutMs} ms.\n${tail(logFile(spec))}`);
    }
    await sleep(250);
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs a set-up command without blocking the event loop; rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (err) => reject(new InfraError(`${command}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new InfraError(`${command} ${args.join(' ')} failed (${code}):\n${output.slice(-4000)}`));
    });
  });
}

/** Throws a message that says what to install when a required tool is not on PATH. */
export function requireTool(command: string, versionArgs: string[], hint: string): void {
  const result = spawnSync(command, versionArgs, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new InfraError(`${command} is required but was not found on PATH. ${hint}`);
  }
}

/**
 * A free loopback port from the OS's ephemeral range: for tools that run outside jest (benchmarks), where the jest
 * workers' port ranges may be in use by test runs of this or another checkout.
 */
export function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
