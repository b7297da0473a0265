/* eslint-disable no-console -- a command-line tool talks to its terminal */
/**
 * `npm run bench -- <name> [options]`: runs one benchmark, keeps its raw figures in bench/results/<name>.json
 * (per label, so before/after runs of different checkouts sit side by side) and rewrites its section of
 * docs/benchmarks.md from them.
 *
 *   footprint [--repo <checkout>] [--label <text>] [--runs 3] [--idle 60]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { measureFootprint, productionDependencyMb, type FootprintRun } from './footprint';
import { deployables } from './platform';

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, 'bench', 'results');
const docs = path.join(root, 'docs', 'benchmarks.md');

interface Labelled<T> {
  label: string;
  date: string;
  machine: string;
  node: string;
  commit: string;
  command: string;
  runs: T[];
  extra?: Record<string, unknown>;
}

function machine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`;
}

function save<T>(name: string, entry: Labelled<T>): Array<Labelled<T>> {
  const file = path.join(resultsDir, `${name}.json`);
  const all = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Labelled<T>>) : [];
  const next = [...all.filter((e) => e.label !== entry.label), entry];
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in docs/benchmarks.md. */
function writeSection(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const text = fs.existsSync(docs) ? fs.readFileSync(docs, 'utf8') : '# Benchmarks\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const next =
    i < 0
      ? `${text.trimEnd()}\n\n${block}\n`
      : `${text.slice(0, i)}${block}${text.slice(text.indexOf(end) + end.length)}`;
  fs.writeFileSync(docs, next);
}

/** "median (min-max)" of a list of figures. */
export function spread(values: number[], digits = 0): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const f = (v: number) => v.toFixed(digits);
  return sorted.length === 1 ? f(median) : `${f(median)} (${f(sorted[0]!)}-${f(sorted.at(-1)!)})`;
}

function renderFootprint(entries: Array<Labelled<FootprintRun>>): string {
  const lines: string[] = [];
  for (const e of entries) {
    const deps = e.extra?.dependencyMb as Record<string, number>;
    lines.push(
      `### ${e.label}`,
      '',
      `${e.date}, commit ${e.commit}, Node ${e.node}, ${e.machine}. \`${e.command}\`; ${e.runs.length} cold starts, median (min-max).`,
      '',
      '| deployable | production deps MB | start to ready ms | idle RSS MB | idle CPU % of a core |',
      '|---|---|---|---|---|',
      ...deployables.map((d) => {
        const samples = e.runs.map((r) => r.deployables[d.name]);
        return `| ${d.name} | ${deps[d.name]!.toFixed(0)} | ${spread(samples.map((s) => s.startToReadyMs))} | ${spread(samples.map((s) => s.rssMb))} | ${spread(
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
      idle: { type: 'string', default: '60' },
    },
  });
  const repo = path.resolve(values.repo);
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

const benchmarks: Record<string, (argv: string[]) => Promise<void>> = { footprint };

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
