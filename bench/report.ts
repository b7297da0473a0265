/**
 * What every benchmark does with its figures: keeps them in bench/results/<name>.json (per label, so before/after
 * runs of different checkouts sit side by side) and rewrites its section of docs/benchmarks.md from them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, 'bench', 'results');
const docs = path.join(root, 'docs', 'benchmarks.md');

export interface Labelled<T> {
  label: string;
  date: string;
  machine: string;
  node: string;
  commit: string;
  command: string;
  runs: T[];
  extra?: Record<string, unknown>;
}

export function machine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`;
}

/** Date, machine, Node and commit of a result about to be saved. */
export function provenance(repo = root): Pick<Labelled<unknown>, 'date' | 'machine' | 'node' | 'commit'> {
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: machine(),
    node: execFileSync('node', ['--version']).toString().trim(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo }).toString().trim(),
  };
}

/** Every entry saved so far under `name` (bench/results/<name>.json), oldest first. */
export function saved<T>(name: string): Array<Labelled<T>> {
  const file = path.join(resultsDir, `${name}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Labelled<T>>) : [];
}

export function save<T>(name: string, entry: Labelled<T>): Array<Labelled<T>> {
  const file = path.join(resultsDir, `${name}.json`);
  const next = [...saved<T>(name).filter((e) => e.label !== entry.label), entry];
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in docs/benchmarks.md. */
export function writeSection(name: string, markdown: string): void {
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
  // Tables as Prettier aligns them, so `npm run lint` passes after a benchmark wrote its section.
  execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', docs], { stdio: 'ignore' });
}

/** "median (min-max)" of a list of figures. */
export function spread(values: number[], digits = 0): string {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  // An even count has two middle values: their mean, not the higher one.
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const f = (v: number) => v.toFixed(digits);
  return sorted.length === 1 ? f(median) : `${f(median)} (${f(sorted[0]!)}-${f(sorted.at(-1)!)})`;
}

/** The value at quantile `q` of figures sorted ascending; NaN when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
