/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and sums its samples' self time by function and by the
 * package or area each function belongs to, so a profile taken under load can be summed up in a few lines and
 * compared with the next one.
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** ms of samples, idle excluded. */
  busyMs: number;
  /** Self time by area (`undici`, `fastify`, `gateway`, `kit`, `node:http`, `(garbage collector)`, ...), ms. */
  areas: Array<{ name: string; ms: number; share: number }>;
  functions: Array<{ name: string; ms: number; share: number }>;
}

/** Where a function comes from: its npm package, the repository's own code, or Node's internals by module. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').replace(/\/.*$/, '');
  const own = /\/(gateway|packages\/kit|services\/\w+)\//.exec(url);
  return own ? own[1]!.replace('packages/', '') : url;
}

export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += micros;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + micros);
    const name =
      `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(gateway|packages|services)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + micros);
  }
  const ranked = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / busy }));
  return { busyMs: busy / 1000, areas: ranked(areas, 40), functions: ranked(functions, top) };
}

export function formatSummary(summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  return [
    `busy ${summary.busyMs.toFixed(0)} ms (idle excluded)`,
    'by area (self time):',
    ...summary.areas.map((a) => `  ${pct(a.share)}  ${a.name}`),
    'top functions (self time):',
    ...summary.functions.map((f) => `  ${pct(f.share)}  ${f.name}`),
  ].join('\n');
}
