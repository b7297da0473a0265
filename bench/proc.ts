/** What benchmarks read about processes from Linux: who listens on a port, and CPU time from /proc. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** The pids listening on a loopback port (ss from iproute2): nginx's master and worker share theirs. */
export function pidsOnPort(port: number): number[] {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`]).toString();
  return [...new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
}

/** The fields of /proc/<pid>/stat after the command name (which is in parentheses and may contain spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone since it was listed
  }
}

/** utime + stime of one process, in clock ticks. */
export function cpuTicks(pid: number): number {
  const fields = statFields(pid);
  return fields ? Number(fields[11]) + Number(fields[12]) : 0;
}

/** stime of one process, in clock ticks: the kernel's share of cpuTicks (system calls, the network stack). */
export function systemTicks(pid: number): number {
  const fields = statFields(pid);
  return fields ? Number(fields[12]) : 0;
}

/**
 * CPU ticks of a process and everything below it: its own, its reaped children's (cutime + cstime) and those of its
 * live descendants. PostgreSQL serves each connection from a child of the postmaster; this counts them all.
 */
export function treeCpuTicks(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = Number(statFields(Number(entry))?.[1]);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(Number(entry));
  }
  const own = statFields(pid);
  let total = own ? Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]) : 0;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const child = stack.pop()!;
    total += cpuTicks(child);
    stack.push(...(children.get(child) ?? []));
  }
  return total;
}

/** Ticks of each named group of processes, by `ticks` (cpuTicks, or treeCpuTicks for process trees). */
export function cpuSnapshot(processes: Record<string, number[]>, ticks = cpuTicks): Record<string, number> {
  return Object.fromEntries(
    Object.entries(processes).map(([name, pids]) => [name, pids.reduce((sum, pid) => sum + ticks(pid), 0)]),
  );
}

/** Share of one core each group used between two snapshots `seconds` apart. */
export function coreShare(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(before).map((name) => [name, (after[name]! - before[name]!) / clockTicks / seconds]),
  );
}

/** Busy ticks of the whole machine (every core; /proc/stat's cpu line less idle and iowait). */
export function machineBusyTicks(): number {
  const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number) as number[];
  return user! + nice! + system! + irq! + softirq! + steal!;
}
