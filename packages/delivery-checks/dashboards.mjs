// Checks the Grafana dashboards shipped by charts/platform and writes their queries as a Prometheus rules file,
// so `promtool check rules` can parse every PromQL expression (Grafana variables replaced by sample values).
//   node dashboards.mjs <dashboards-dir> <rules-out.yaml>
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

// Metrics the platform exports (kit + services) and prom-client's defaults. A query naming anything else is a typo.
const KNOWN = new Set([
  'http_request_duration_seconds',
  'upstream_breaker_state',
  'upstream_breaker_opens_total',
  'upstream_breaker_rejections_total',
  'upstream_retries_total',
  'upstream_request_duration_seconds',
  'kafka_messages_consumed_total',
  'kafka_dlq_messages_total',
  'kafka_handler_duration_seconds',
  'kafka_consumer_lag',
  'kafka_messages_published_total',
  'outbox_backlog',
  'outbox_published_total',
  'outbox_publish_failures_total',
  'orders_created_total',
  'orders_finalised_total',
  'orders_timed_out_total',
  'orders_shed_total',
  'order_saga_backlog',
  'user_logins_total',
  'user_registrations_total',
  'inventory_reservations_total',
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'process_virtual_memory_bytes',
  'process_heap_bytes',
  'process_open_fds',
  'process_max_fds',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
  'nodejs_version_info',
  'nodejs_gc_duration_seconds',
  'up',
]);
const SUFFIXES = ['_bucket', '_count', '_sum'];
const known = (name) =>
  KNOWN.has(name) || SUFFIXES.some((s) => name.endsWith(s) && KNOWN.has(name.slice(0, -s.length)));

const [dir, rulesOut] = process.argv.slice(2);
const problems = [];
const rules = [];
const uids = new Map();

function* panelsOf(panels = []) {
  for (const panel of panels) {
    yield panel;
    yield* panelsOf(panel.panels);
  }
}

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  let board;
  try {
    board = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (err) {
    problems.push(`${file}: not valid JSON: ${err.message}`);
    continue;
  }
  const where = (msg) => problems.push(`${file}: ${msg}`);
  if (!board.uid) where('no uid');
  else if (uids.has(board.uid)) where(`uid ${board.uid} also used by ${uids.get(board.uid)}`);
  else uids.set(board.uid, file);
  if (!board.title) where('no title');
  if (board.id != null) where('has a fixed "id" (Grafana assigns it; provisioned dashboards must not carry one)');
  const vars = (board.templating?.list ?? []).map((v) => v.name);
  if (!vars.includes('datasource')) where('no "datasource" variable: the dashboard would be tied to one data source');
  const ids = new Set();
  for (const panel of panelsOf(board.panels)) {
    if (ids.has(panel.id)) where(`duplicate panel id ${panel.id}`);
    ids.add(panel.id);
    if (panel.type === 'row') continue;
    if (panel.datasource?.uid !== '${datasource}')
      where(`panel "${panel.title}" does not use the \${datasource} variable`);
    if (!panel.targets?.length) where(`panel "${panel.title}" has no query`);
    for (const target of panel.targets ?? []) {
      const expr = target.expr ?? '';
      for (const v of expr.matchAll(/\$(\w+)/g)) {
        if (!v[1].startsWith('__') && !vars.includes(v[1]))
          where(`panel "${panel.title}" uses undefined variable $${v[1]}`);
      }
      const sample = expr
        .replaceAll('$__rate_interval', '5m')
        .replaceAll('$__interval', '1m')
        .replaceAll('$__range', '1h')
        .replace(/\$\{?(\w+)\}?/g, 'sample');
      for (const m of sample.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)) {
        if (!known(m[1])) where(`panel "${panel.title}" queries unknown metric ${m[1]}`);
      }
      rules.push({ record: `dashboard:${board.uid.replaceAll('-', '_')}:${panel.id}${target.refId}`, expr: sample });
    }
  }
}

writeFileSync(rulesOut, JSON.stringify({ groups: [{ name: 'dashboard-queries', rules }] }, null, 2));
if (problems.length) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
process.stdout.write(`${uids.size} dashboards, ${rules.length} queries, all metrics known\n`);
