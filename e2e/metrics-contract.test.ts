import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderAlertRules } from '../packages/local-infra/src/index';
import type { RunningPlatform } from '../packages/local-infra/src/platform';
import {
  finalStatus,
  login,
  placeOrder,
  registerCustomer,
  startTestPlatform,
  stockedProduct,
} from './platform-fixture';

const dashboardsDir = path.join(__dirname, '..', 'charts', 'platform', 'dashboards');

/** Series Prometheus makes up itself, never exported by a process. */
const SYNTHETIC = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE', 'scrape_duration_seconds', 'scrape_samples_scraped']);
const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and']);
for (const word of ['or', 'unless', 'offset', 'Inf', 'NaN', 'inf', 'nan']) PROMQL_KEYWORDS.add(word);

/**
 * Metric names in a PromQL expression: every identifier that is not a function, keyword, label or duration.
 * Grafana variables become a sample value first, as packages/delivery-checks/dashboards.mjs does.
 */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/\$\{?\w+\}?/g, '1')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()/g)) {
    if (!PROMQL_KEYWORDS.has(m[1]!)) names.add(m[1]!);
  }
  return [...names];
}

/** The `expr` of every rule in a Prometheus rules file (block scalars as helm renders them, or one line). */
function ruleExpressions(rulesYaml: string): string[] {
  const exprs: string[] = [];
  const lines = rulesYaml.split('\n');
  lines.forEach((line, i) => {
    const m = /^(\s*)(?:- )?expr:\s*(.*)$/.exec(line);
    if (!m) return;
    if (!/^[|>]/.test(m[2]!)) return void exprs.push(m[2]!);
    const body: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (next.trim() !== '' && next.search(/\S/) <= m[1]!.length) break;
      body.push(next);
    }
    exprs.push(body.join('\n'));
  });
  return exprs;
}

interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: Array<{ expr?: string }>;
}

function dashboardExpressions(): Array<{ where: string; expr: string }> {
  const found: Array<{ where: string; expr: string }> = [];
  const walk = (file: string, panels: Panel[] = []) => {
    for (const panel of panels) {
      for (const t of panel.targets ?? []) if (t.expr) found.push({ where: `${file}: ${panel.title}`, expr: t.expr });
      walk(file, panel.panels);
    }
  };
  for (const file of readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'))) {
    walk(file, (JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as { panels?: Panel[] }).panels);
  }
  return found;
}

/** Names with at least one sample in a text exposition, plus the histogram/summary families they belong to. */
function exposedNames(exposition: string): { samples: Set<string>; families: Map<string, string> } {
  const samples = new Set<string>();
  const families = new Map<string, string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) families.set(type[1]!, type[2]!);
    else if (line && !line.startsWith('#')) samples.add(/^[^\s{]+/.exec(line)![0]);
  }
  return { samples, families };
}

describe('metrics contract: what the alerts and dashboards query, the services export', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ gateway: true });
    // One order through the saga, so series created on first use (logins, orders, reservations, lag) exist.
    const admin = await login(platform, platform.secrets.ADMIN_EMAIL, platform.secrets.ADMIN_PASSWORD);
    const customer = await registerCustomer(platform);
    const product = await stockedProduct(platform, admin, 2);
    const order = await placeOrder(platform, customer, [{ productId: product.id, quantity: 1 }]);
    expect(await finalStatus(platform, customer, order.body.id)).toBe('CONFIRMED');
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('when an order has gone through the saga, then every metric of an alert rule or dashboard panel has samples on a live /metrics', async () => {
    const rulesDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-rules-'));
    const wanted = new Map<string, string>();
    for (const file of await renderAlertRules(rulesDir)) {
      for (const expr of ruleExpressions(readFileSync(file, 'utf8'))) {
        for (const name of metricNames(expr)) wanted.set(name, `alert rule in ${path.basename(file)}`);
      }
    }
    rmSync(rulesDir, { recursive: true, force: true });
    for (const { where, expr } of dashboardExpressions()) {
      for (const name of metricNames(expr)) if (!wanted.has(name)) wanted.set(name, `dashboard ${where}`);
    }
    for (const name of SYNTHETIC) wanted.delete(name);
    // Sanity: the parser found what the alerts are about.
    expect([...wanted.keys()]).toEqual(
      expect.arrayContaining(['http_request_duration_seconds_count', 'outbox_backlog']),
    );

    const samples = new Set<string>();
    const families = new Map<string, string>();
    for (const port of Object.values(platform.metricsPorts)) {
      const exposed = exposedNames(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      exposed.samples.forEach((s) => samples.add(s));
      exposed.families.forEach((type, name) => families.set(name, type));
    }
    const present = (name: string) => {
      if (samples.has(name)) return true;
      // A histogram's _bucket/_sum/_count: the family must be there with samples.
      const family = name.replace(/_(bucket|sum|count)$/, '');
      return (
        family !== name &&
        ['histogram', 'summary'].includes(families.get(family) ?? '') &&
        [...samples].some((s) => s.startsWith(`${family}_`))
      );
    };

    const missing = [...wanted].filter(([name]) => !present(name)).map(([name, where]) => `${name} (${where})`);
    expect(missing).toEqual([]);
  });
});
