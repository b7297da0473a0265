// The contract between infra/modules/cluster-addons and charts/platform (docs/delivery.md, "The infrastructure the
// platform expects"), checked without a cluster or the upstream charts:
//   node infra/test/contract.mjs ADDONS_JSON STAGING_JSON
// ADDONS_JSON and STAGING_JSON are what `tofu console` printed for the addons module (releases, values files,
// endpoints) and for live/staging (the Secrets it builds), as infra/check.sh runs it. From the release names and
// values, this derives the Services, ports and pod labels each upstream chart creates (by that chart's naming rules,
// written out below) and compares them with what the platform chart's values and NetworkPolicies name, in its
// defaults (kind, `skaffold dev`) and in values-staging.yaml; and the staging Secrets with the credentials the
// addons are given. Prints one line per check; exits 1 when any fails.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';
import { parse } from 'yaml';

const print = (line) => process.stdout.write(`${line}\n`);

const readYaml = (file) => parse(readFileSync(file, 'utf8'), { merge: true });
// `tofu console` prints the jsonencode()d string as an HCL string literal: quotes and escapes as in JSON.
const readConsole = (file) => JSON.parse(JSON.parse(readFileSync(file, 'utf8').trim()));

const [addonsFile, stagingFile] = process.argv.slice(2);
if (!addonsFile || !stagingFile) {
  process.stderr.write('usage: node infra/test/contract.mjs ADDONS_JSON STAGING_JSON\n');
  process.exit(2);
}
const addons = readConsole(addonsFile);
const staging = readConsole(stagingFile);
const chart = readYaml('charts/platform/values.yaml');
const chartStaging = readYaml('charts/platform/values-staging.yaml');
const microservice = readYaml('charts/microservice/values.yaml');
const kafkaChart = readYaml('infra/modules/cluster-addons/charts/kafka-cluster/values.yaml');

let passed = 0;
let failed = 0;
function expect(name, actual, expected) {
  // Key order does not matter (tofu sorts object keys).
  const canonical = (v) =>
    JSON.stringify(v, (_, x) =>
      x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x,
    );
  const ok = canonical(actual) === canonical(expected);
  if (ok) passed += 1;
  else failed += 1;
  print(
    `${ok ? 'PASS' : 'FAIL'}  ${name}${ok ? '' : `\n      expected ${JSON.stringify(expected)}\n      got      ${JSON.stringify(actual)}`}`,
  );
}

// Values of a release: the module's file, then every extra file, merged like helm does (maps deep, the rest replaced).
const merge = (a, b) => {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in a ? merge(a[k], v) : v;
    return out;
  }
  return b === undefined ? a : b;
};
const valuesOf = (key) => addons.values[key].map((doc) => parse(doc) ?? {}).reduce(merge, {});
const release = (key) => addons.releases[key];
const dns = (key) => `${release(key).namespace}.svc`;
// The common `fullname` helper of the Bitnami and most community charts: fullnameOverride, else the release name
// when it contains the chart's name, else <release>-<chart>.
const fullname = (key, values) => {
  const { name, chart: chartName } = release(key);
  const base = values.nameOverride ?? chartName.split('/').pop();
  return values.fullnameOverride ?? (name.includes(base) ? name : `${name}-${base}`);
};
const hostPort = (url) => url.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');

// --- What the addons create -----------------------------------------------------------------------------------
const kafkaValues = merge(kafkaChart, valuesOf('kafka'));
const mongodbValues = valuesOf('mongodb');
const redisValues = valuesOf('redis');
const otelValues = valuesOf('otel_collector');
const jaegerValues = valuesOf('jaeger');
const kpsValues = valuesOf('kube_prometheus_stack');
const ingressValues = valuesOf('ingress_nginx');

const created = {
  // charts/kafka-cluster's alias Service over the Strimzi broker pods (Strimzi labels them app.kubernetes.io/name: kafka).
  kafka_brokers: `${kafkaValues.alias.name}.${dns('kafka')}:${kafkaValues.alias.port}`,
  // Bitnami mongodb, standalone: a Service named after the fullname, port service.ports.mongodb (27017).
  mongodb_address: `mongodb://${fullname('mongodb', mongodbValues)}.${dns('mongodb')}:${mongodbValues.service?.ports?.mongodb ?? 27017}`,
  // Bitnami redis, standalone: <fullname>-master, port master.service.ports.redis (6379).
  redis_url: `redis://${fullname('redis', redisValues)}-master.${dns('redis')}:${redisValues.master?.service?.ports?.redis ?? 6379}`,
  // opentelemetry-collector: the fullname, with the otlp-http port's servicePort.
  otel_endpoint: `http://${fullname('otel_collector', otelValues)}.${dns('otel_collector')}:${otelValues.ports['otlp-http'].servicePort}`,
  // prometheus-operator always creates `prometheus-operated` next to the Prometheus it runs.
  prometheus_url: `http://prometheus-operated.${dns('kube_prometheus_stack')}:9090`,
  // Grafana subchart: its fullnameOverride, service.port 80 (the URL's default port).
  grafana_url: `http://${kpsValues.grafana.fullnameOverride}.${dns('kube_prometheus_stack')}${kpsValues.grafana.service.port === 80 ? '' : `:${kpsValues.grafana.service.port}`}`,
  // Jaeger all-in-one: <fullname>-query on 16686.
  jaeger_url: `http://${fullname('jaeger', jaegerValues)}-query.${dns('jaeger')}:16686`,
};

expect(
  'jaeger: all-in-one, so the query Service exists without a separate query Deployment',
  jaegerValues.allInOne?.enabled,
  true,
);
expect(
  'kafka: the pool is broker and controller (KRaft, no ZooKeeper)',
  readFileSync('infra/modules/cluster-addons/charts/kafka-cluster/templates/kafka.yaml', 'utf8').includes(
    '- controller',
  ),
  true,
);

// --- The module's outputs agree with what the charts create ----------------------------------------------------
for (const [key, address] of Object.entries(created)) {
  expect(`cluster-addons output endpoints.${key} is what the chart creates`, addons.endpoints[key], address);
}

// --- The platform chart names exactly those, by default (kind) and in staging ----------------------------------
const named = (values) => ({
  kafka_brokers: values.global?.platform?.kafka?.brokers,
  mongodb_address: values.global?.platform?.mongodb?.address,
  redis_url: values.global?.platform?.redis?.url,
  otel_endpoint: values.global?.platform?.otel?.endpoint,
  prometheus_url: values.observability?.prometheus?.url,
  grafana_url: values.observability?.grafana?.url,
  jaeger_url: values.observability?.jaeger?.url,
});
const defaults = named(chart);
const stagingNamed = named(merge(chart, chartStaging));
for (const key of Object.keys(created)) {
  expect(`charts/platform values.yaml ${key} (kind, skaffold dev)`, defaults[key], created[key]);
  expect(`charts/platform values-staging.yaml ${key}`, stagingNamed[key], created[key]);
}

// --- NetworkPolicies: namespaces, pod labels and ports of the targets --------------------------------------------
const egress = microservice.networkPolicy.egress;
const ns = (rule) => rule.namespaceSelector.matchLabels['kubernetes.io/metadata.name'];
const podName = (rule) => rule.podSelector.matchLabels['app.kubernetes.io/name'];
const egressTargets = {
  kafka: { namespace: release('kafka').namespace, name: 'kafka', ports: [9092] },
  mongodb: { namespace: release('mongodb').namespace, name: mongodbValues.nameOverride ?? 'mongodb', ports: [27017] },
  redis: { namespace: release('redis').namespace, name: redisValues.nameOverride ?? 'redis', ports: [6379] },
  otel: {
    namespace: release('otel_collector').namespace,
    name: otelValues.nameOverride ?? release('otel_collector').chart,
    ports: [otelValues.ports['otlp-http'].containerPort],
  },
};
for (const [key, target] of Object.entries(egressTargets)) {
  expect(
    `NetworkPolicy egress to ${key}: namespace, pod label, ports`,
    { namespace: ns(egress[key]), name: podName(egress[key]), ports: egress[key].ports },
    target,
  );
}
const promRule = microservice.networkPolicy.ingress.prometheus;
expect(
  'NetworkPolicy ingress from Prometheus: namespace and pod label',
  { namespace: ns(promRule), name: podName(promRule) },
  { namespace: release('kube_prometheus_stack').namespace, name: 'prometheus' },
);
const ingressRule = microservice.networkPolicy.ingress.fromIngressController;
expect(
  'NetworkPolicy ingress from the ingress controller: namespace and pod label',
  { namespace: ns(ingressRule), name: podName(ingressRule) },
  { namespace: release('ingress_nginx').namespace, name: 'ingress-nginx' },
);
expect(
  'the gateway Ingress (staging) names the IngressClass the controller creates',
  chartStaging.gateway.ingress.className,
  ingressValues.controller.ingressClassResource.name,
);

// --- Prometheus and Grafana select what the platform labels --------------------------------------------------------
const prometheusSpec = kpsValues.prometheus.prometheusSpec;
expect(
  'Prometheus selects by its release label (serviceMonitor/rule selectors from the chart)',
  [prometheusSpec.serviceMonitorSelectorNilUsesHelmValues, prometheusSpec.ruleSelectorNilUsesHelmValues],
  [true, true],
);
expect(
  'Prometheus looks in every namespace',
  [prometheusSpec.serviceMonitorNamespaceSelector, prometheusSpec.ruleNamespaceSelector],
  [{}, {}],
);
for (const app of ['user', 'product', 'order', 'inventory', 'gateway']) {
  expect(
    `${app}: ServiceMonitor and PrometheusRule labelled release=${release('kube_prometheus_stack').name}`,
    [chart[app].serviceMonitor.labels.release, chart[app].prometheusRule.labels.release],
    [release('kube_prometheus_stack').name, release('kube_prometheus_stack').name],
  );
}
const sidecar = kpsValues.grafana.sidecar.dashboards;
expect(
  'Grafana sidecar label is the dashboards ConfigMaps label',
  { [sidecar.label]: sidecar.labelValue },
  chart.dashboards.labels,
);
expect(
  'Grafana sidecar folder annotation is the one the dashboards carry',
  Object.keys(chart.dashboards.annotations).includes(sidecar.folderAnnotation),
  true,
);
expect(
  'Grafana sidecar searches the namespace of the dashboards (the release namespace: ALL)',
  chart.dashboards.namespace === '' ? sidecar.searchNamespace : chart.dashboards.namespace,
  'ALL',
);

// --- Credentials: local without, staging with, built from what the addons are given ------------------------------
expect(
  'kind: MongoDB and Redis without auth, as the chart default URLs (no credentials) expect',
  [mongodbValues.auth.enabled, redisValues.auth.enabled],
  [false, false],
);

const apps = ['user', 'product', 'order', 'inventory', 'gateway'];
for (const app of apps) {
  const config = chart[app].config ?? {};
  const stagingConfig = chartStaging[app].config ?? {};
  // What staging removes from the ConfigMap must come from the Secret.
  const needed = Object.keys(stagingConfig).filter((k) => stagingConfig[k] === null && k in config);
  if (app === 'user' && chartStaging.devSigningKey?.enabled === false) needed.push('JWT_PRIVATE_KEY');
  const secret = staging.secrets[app] ?? {};
  expect(
    `staging ${app}: the Secret has every key the staging values leave to it`,
    needed.filter((k) => !(k in secret)),
    [],
  );
  if (secret.MONGO_URL) {
    const url = new URL(secret.MONGO_URL);
    const database = config.MONGO_URL.split('/').pop();
    expect(
      `staging ${app}: MONGO_URL is the addons' MongoDB, the chart's database, the user the addons create`,
      { host: url.host, database: url.pathname.slice(1), user: url.username, hasPassword: url.password !== '' },
      { host: hostPort(created.mongodb_address), database, user: app, hasPassword: true },
    );
    expect(`staging ${app}: the addons create that database for that user`, staging.databases[app], database);
  }
  if (secret.REDIS_URL) {
    const url = new URL(secret.REDIS_URL);
    expect(
      `staging ${app}: REDIS_URL is the addons' Redis, with its password`,
      { host: url.host, hasPassword: url.password !== '' },
      { host: hostPort(created.redis_url), hasPassword: true },
    );
  }
}
expect("staging: the endpoints the platform release gets are the addons'", staging.endpoints, created);

print(`\ncontract: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
