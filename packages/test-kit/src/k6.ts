import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@platform/local-infra';

/** The k6 scripts (k6/<type>.js), one per kind of test. */
export const k6Scripts = ['smoke', 'load', 'stress', 'spike', 'soak'] as const;
export type K6Script = (typeof k6Scripts)[number];

export function isK6Script(name: string): name is K6Script {
  return (k6Scripts as readonly string[]).includes(name);
}

/** k6 exits with this code when a threshold was crossed (and 0 when every one held). */
export const K6_THRESHOLDS_FAILED = 99;

const installer = path.join(repoRoot, 'packages', 'delivery-checks', 'install-tools.sh');

/**
 * The k6 binary in .local/bin, built from the Go module proxy by install-tools.sh the first time (a few minutes,
 * once per machine: the build is kept in ~/.cache/platform-delivery-tools). Throws with the installer's output.
 */
export function k6Binary(): string {
  const bin = path.join(repoRoot, '.local', 'bin', 'k6');
  const result = spawnSync('bash', [installer, 'k6'], { encoding: 'utf8' });
  if (result.status !== 0 || !fs.existsSync(bin)) {
    throw new Error(`installing k6 failed (${installer} k6):\n${result.stdout}${result.stderr}`);
  }
  return bin;
}

export interface K6RunOptions {
  script: K6Script;
  /** The gateway, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  admin: { email: string; password: string };
  /** More K6_* variables (see k6/lib/config.js), e.g. `{ K6_P95_MS: '0.001' }`. */
  env?: Record<string, string>;
  /** Where the end-of-test summary (JSON) goes; a temporary file unless given. */
  summaryFile?: string;
  /** Each line k6 prints; by default they are kept and returned. */
  onOutput?: (text: string) => void;
}

/** The parts of k6's JSON summary that callers read. */
export interface K6Summary {
  metrics: Record<
    string,
    { type: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> } | undefined
  >;
}

export interface K6Result {
  code: number;
  summary: K6Summary | undefined;
  output: string;
}

/**
 * Runs one k6 script against a running platform and resolves with k6's exit code (0 passed, 99 a threshold failed,
 * anything else an error) and its JSON summary. The admin's credentials travel in the environment, never on the
 * command line.
 */
export function runK6(options: K6RunOptions): Promise<K6Result> {
  const k6 = k6Binary();
  const summaryFile = options.summaryFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'k6-')), 'summary.json');
  fs.mkdirSync(path.dirname(summaryFile), { recursive: true });
  fs.rmSync(summaryFile, { force: true });
  const script = path.join(repoRoot, 'k6', `${options.script}.js`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // Never reach for extensions on the network: the scripts use k6's built-in modules only.
    K6_AUTO_EXTENSION_RESOLUTION: 'false',
    K6_NO_USAGE_REPORT: 'true',
    BASE_URL: options.baseUrl,
    ADMIN_EMAIL: options.admin.email,
    ADMIN_PASSWORD: options.admin.password,
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(k6, ['run', '--quiet', '--no-color', `--summary-export=${summaryFile}`, script], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      options.onOutput?.(text);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const summary = fs.existsSync(summaryFile) ? { metrics: readSummaryExport(summaryFile) } : undefined;
      resolve({ code: code ?? (signal ? 128 : 1), summary, output });
    });
  });
}

/**
 * `--summary-export` writes `{ metrics: { name: { p(95): ..., thresholds: { "p(95)<300": false } } } }`, where a
 * threshold's value is whether it FAILED; this turns it into `values` and `ok`.
 */
function readSummaryExport(file: string): K6Summary['metrics'] {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    metrics: Record<string, Record<string, unknown>>;
  };
  const metrics: K6Summary['metrics'] = {};
  for (const [name, fields] of Object.entries(raw.metrics)) {
    const values: Record<string, number> = {};
    let thresholds: Record<string, { ok: boolean }> | undefined;
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'thresholds' && value && typeof value === 'object') {
        thresholds = Object.fromEntries(
          Object.entries(value as Record<string, boolean>).map(([t, failed]) => [t, { ok: !failed }]),
        );
      } else if (typeof value === 'number') {
        values[key] = value;
      }
    }
    metrics[name] = { type: typeof fields.type === 'string' ? fields.type : 'unknown', values, thresholds };
  }
  return metrics;
}
