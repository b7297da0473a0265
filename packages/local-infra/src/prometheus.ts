import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Component } from './component';
import { dirs, repoRoot } from './paths';
import { InfraError, isAlive, readPid, requireTool, run, startDaemon, stopDaemon, waitUntilReady } from './process';

/**
 * The chart's alert rules are rendered for this release namespace (as the delivery checks do), and every local target
 * carries it as its `namespace` label, so the rules' `namespace="platform"` selectors match unchanged.
 */
export const RULES_NAMESPACE = 'platform';
/** The Kubernetes version the delivery checks render for (packages/delivery-checks/check.sh). */
const KUBE_VERSION = '1.34.0';

export interface ScrapeTarget {
  /** The deployable as the chart names it (`order`, `gateway`): the `service` label the rules select on. */
  name: string;
  /** host:port of its metrics endpoint. */
  address: string;
}

export interface PrometheusOptions {
  targets: ScrapeTarget[];
  port?: number;
  /** Holds config, rules, data, pid and log; separate instances need separate folders. */
  runDir?: string;
  /** Scrape and rule-evaluation interval; short, so a developer sees a change within seconds. */
  interval?: string;
}

export interface PrometheusComponent extends Component {
  /** The rule files the last start() loaded. */
  readonly ruleFiles: readonly string[];
}

/** The targets of deployables whose metrics listen on 127.0.0.1, by name (as RunningPlatform.metricsPorts). */
export function scrapeTargets(metricsPorts: Record<string, number | undefined>): ScrapeTarget[] {
  return Object.entries(metricsPorts)
    .filter((entry): entry is [string, number] => entry[1] !== undefined)
    .map(([name, port]) => ({ name, address: `127.0.0.1:${port}` }));
}

/** Uses Debian's prometheus (2.x); installs it with apt-get when running as root, otherwise says how. */
export async function installPrometheus(): Promise<void> {
  try {
    requireTool('prometheus', ['--version'], '');
    return;
  } catch {
    if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
      throw new InfraError(
        'prometheus is required but was not found on PATH. Install it (Debian: apt-get install prometheus).',
      );
    }
  }
  process.stderr.write('local-infra: installing prometheus with apt-get (first run only)...\n');
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], {
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The repository's pinned helm (built by packages/delivery-checks/install-tools.sh), else one on PATH. */
function findHelm(): string {
  const local = path.join(dirs.bin, 'helm');
  if (fs.existsSync(local)) return local;
  if (spawnSync('helm', ['version', '--short']).status === 0) return 'helm';
  throw new InfraError(
    'helm is required to render the alert rules from charts/. Build the pinned one into .local/bin with ' +
      '`bash packages/delivery-checks/install-tools.sh` (Go module proxy, a few minutes once).',
  );
}

/** The `spec` of a rendered PrometheusRule, de-indented: a Prometheus rules file (as check.sh's extract_rules). */
export function prometheusRuleSpec(manifest: string): string | undefined {
  if (!/^kind: PrometheusRule$/m.test(manifest)) return undefined;
  const lines = manifest.split('\n');
  const start = lines.indexOf('spec:');
  if (start < 0) return undefined;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^[^ #]/.test(line)) break;
    body.push(line.slice(2));
  }
  return `${body.join('\n').trimEnd()}\n`;
}

/**
 * Renders the platform chart with helm, as in a cluster, and writes each deployable's PrometheusRule as a rules file
 * into `outDir` (`<deployable>.yaml`). helm rather than re-implementing the templates: they are Go templates with
 * helpers and per-deployable values of the umbrella, and a second renderer would drift from the one that ships.
 * A copy of the charts is rendered, because `helm dependency build` rewrites Chart.lock and charts/.
 */
export async function renderAlertRules(outDir: string): Promise<string[]> {
  const helm = findHelm();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-rules-'));
  try {
    const charts = path.join(repoRoot, 'charts');
    fs.cpSync(path.join(charts, 'microservice'), path.join(work, 'microservice'), { recursive: true });
    fs.cpSync(path.join(charts, 'platform'), path.join(work, 'platform'), {
      recursive: true,
      filter: (src) => !src.startsWith(path.join(charts, 'platform', 'charts')),
    });
    // helm's own config, cache and data in the throwaway folder: nothing read from or written to $HOME.
    const env = {
      HELM_CACHE_HOME: path.join(work, 'helm', 'cache'),
      HELM_CONFIG_HOME: path.join(work, 'helm', 'config'),
      HELM_DATA_HOME: path.join(work, 'helm', 'data'),
    };
    await run(helm, ['dependency', 'build', path.join(work, 'platform')], { env });
    const rendered = path.join(work, 'rendered');
    await run(
      helm,
      [
        'template',
        'platform',
        path.join(work, 'platform'),
        '--namespace',
        RULES_NAMESPACE,
        '--kube-version',
        KUBE_VERSION,
        '--output-dir',
        rendered,
      ],
      { env },
    );
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const files: string[] = [];
    // --output-dir writes platform/charts/<alias>/templates/<template>.yaml.
    const subcharts = path.join(rendered, 'platform', 'charts');
    for (const alias of fs.existsSync(subcharts) ? fs.readdirSync(subcharts).sort() : []) {
      const manifest = path.join(subcharts, alias, 'templates', 'prometheusrule.yaml');
      if (!fs.existsSync(manifest)) continue;
      const spec = prometheusRuleSpec(fs.readFileSync(manifest, 'utf8'));
      if (!spec) continue;
      const file = path.join(outDir, `${alias}.yaml`);
      fs.writeFileSync(file, spec);
      files.push(file);
    }
    if (files.length === 0) throw new InfraError('the platform chart rendered no PrometheusRule');
    return files;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Scrapes every target like the chart's ServiceMonitor does (honorLabels: the metrics' own `service` label wins),
 * with the chart's rules. Written as JSON, which is YAML too.
 */
function prometheusConfig(targets: ScrapeTarget[], rulesDir: string, interval: string): string {
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [path.join(rulesDir, '*.yaml')],
    scrape_configs: [
      {
        job_name: 'platform',
        honor_labels: true,
        static_configs: targets.map((t) => ({
          targets: [t.address],
          labels: { namespace: RULES_NAMESPACE, service: t.name },
        })),
        // Processes started by `npm run up` call themselves `<name>-service` (SERVICE_NAME, also the trace service
        // name); in a cluster the chart sets SERVICE_NAME to the deployable's name, which the rules select on.
        metric_relabel_configs: [
          { source_labels: ['service'], regex: '(.+)-service', target_label: 'service', replacement: '$1' },
        ],
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Prometheus on loopback, with its own data folder, scraping the given targets with the chart's alert rules. */
export function createPrometheus(options: PrometheusOptions): PrometheusComponent {
  const port = options.port ?? 9090;
  const runDir = options.runDir ?? path.join(dirs.run, 'prometheus');
  const rulesDir = path.join(runDir, 'rules');
  const configFile = path.join(runDir, 'prometheus.yml');
  const spec = { name: 'prometheus', runDir };
  const url = `http://127.0.0.1:${port}`;
  let ruleFiles: string[] = [];

  async function probe(): Promise<boolean> {
    return fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
  }

  return {
    name: 'prometheus',
    url,
    external: false,
    dataDirs: [path.join(runDir, 'data')],
    get ruleFiles() {
      return ruleFiles;
    },
    install: installPrometheus,
    probe,
    async start() {
      await installPrometheus();
      ruleFiles = await renderAlertRules(rulesDir);
      fs.writeFileSync(configFile, prometheusConfig(options.targets, rulesDir, options.interval ?? '5s'));
      if (isAlive(readPid(spec)) && (await probe())) {
        // Already running (an earlier `up`): load the new config and rules in place.
        const reload = await fetch(`${url}/-/reload`, { method: 'POST' });
        if (!reload.ok) throw new InfraError(`prometheus rejected the new config: ${await reload.text()}`);
        return;
      }
      const args = [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(runDir, 'data')}`,
        '--storage.tsdb.retention.time=2d',
        `--web.listen-address=127.0.0.1:${port}`,
        // Lets a second `up` reload the config (POST /-/reload); reachable on loopback only.
        '--web.enable-lifecycle',
      ];
      startDaemon({ ...spec, command: 'prometheus', args, cwd: runDir });
      await waitUntilReady(spec, probe, 30_000);
    },
    async stop() {
      await stopDaemon(spec);
    },
  };
}
