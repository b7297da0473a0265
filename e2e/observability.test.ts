import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Topics } from '@platform/events';
import { freePort, uniqueName, waitFor } from '@platform/test-kit';
import {
  createJaeger,
  createPrometheus,
  scrapeTargets,
  type PrometheusComponent,
  type TraceBackend,
} from '../packages/local-infra/src/index';
import type { RunningPlatform } from '../packages/local-infra/src/platform';
import {
  call,
  finalStatus,
  login,
  registerCustomer,
  startTestPlatform,
  stockedProduct,
  type ApiResponse,
} from './platform-fixture';

/** Jaeger's query API (/api/traces): the JSON the Jaeger UI reads. */
interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references: Array<{ refType: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** A span with its service and tags flattened, for readable assertions. */
interface Span {
  id: string;
  parent?: string;
  service: string;
  name: string;
  kind?: string;
  tags: Record<string, unknown>;
}

function spansOf(t: JaegerTrace): Span[] {
  return t.spans.map((s) => ({
    id: s.spanID,
    parent: s.references.find((r) => r.refType === 'CHILD_OF')?.spanID,
    service: t.processes[s.processID]?.serviceName ?? '?',
    name: s.operationName,
    kind: s.tags.find((tag) => tag.key === 'span.kind')?.value as string | undefined,
    tags: Object.fromEntries(s.tags.map((tag) => [tag.key, tag.value])),
  }));
}

/** Old or stable HTTP semantic conventions, whichever the instrumentation emits. */
const httpMethod = (s: Span) => s.tags['http.request.method'] ?? s.tags['http.method'];
const httpPath = (s: Span) => String(s.tags['http.route'] ?? s.tags['url.path'] ?? s.tags['http.target'] ?? '');
const topicOf = (s: Span) => String(s.tags['messaging.destination.name'] ?? '');
/** The orders topic (prefixed): order.created and, later in the same trace, order.confirmed travel on it. */
const onOrdersTopic = (s: Span) => topicOf(s).endsWith(Topics.Orders);

describe('local observability: Jaeger receives the traces, Prometheus scrapes with the chart rules', () => {
  let jaeger: TraceBackend;
  let prometheus: PrometheusComponent;
  let platform: RunningPlatform;
  let admin: string;
  let customer: string;
  const runDirs: string[] = [];
  const runDir = (prefix: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    runDirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    jaeger = createJaeger({
      otlpPort: await freePort(),
      queryPort: await freePort(),
      queryGrpcPort: await freePort(),
      runDir: runDir('e2e-jaeger-'),
    });
    // On a machine without the cached binary this builds Jaeger first (minutes), hence the long timeout.
    await jaeger.start();
    platform = await startTestPlatform({ otlpEndpoint: jaeger.url, gateway: true });
    prometheus = createPrometheus({
      port: await freePort(),
      runDir: runDir('e2e-prometheus-'),
      targets: scrapeTargets(platform.metricsPorts),
      interval: '1s',
    });
    await prometheus.start();
    admin = await login(platform, platform.secrets.ADMIN_EMAIL, platform.secrets.ADMIN_PASSWORD);
    customer = await registerCustomer(platform);
  }, 20 * 60_000);

  afterAll(async () => {
    await platform?.stop();
    await Promise.all([prometheus?.stop(), jaeger?.stop()]);
    for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('when an order is placed, then one trace runs from the HTTP request through Kafka into the inventory consumer', async () => {
    const product = await stockedProduct(platform, admin, 3);
    // Through the gateway when it runs, as a client would; its span then heads the trace.
    const ordersUrl = platform.urls.gateway
      ? `${platform.urls.gateway}/api/v1/orders`
      : `${platform.urls.order}/orders`;
    const order = (await call(ordersUrl, {
      token: customer,
      body: { lines: [{ productId: product.id, quantity: 1 }] },
      headers: { 'idempotency-key': uniqueName('idem') },
    })) as ApiResponse<{ id: string }>;
    expect(order.status).toBe(201);
    expect(await finalStatus(platform, customer, order.body.id)).toBe('CONFIRMED');

    // The order id is the Kafka key of order.created (on the orders topic): it finds the producer span, and so the
    // trace, in Jaeger.
    const tags = encodeURIComponent(JSON.stringify({ 'messaging.kafka.message.key': order.body.id }));
    const trace = await waitFor(
      async () => {
        const res = await fetch(`${jaeger.queryUrl}/api/traces?service=order-service&tags=${tags}&lookback=1h`);
        const found = ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
        const withCreated = found
          .map(spansOf)
          .find((spans) => spans.some((s) => s.kind === 'producer' && onOrdersTopic(s)));
        // Spans arrive in batches from each process: wait until the inventory consumer's (and the gateway's) have come.
        const complete =
          withCreated?.some((s) => s.service === 'inventory-service' && s.kind === 'consumer') &&
          (!platform.urls.gateway || withCreated.some((s) => s.service === 'gateway' && s.kind === 'server'));
        return complete ? { spans: withCreated! } : undefined;
      },
      { what: `the trace of order ${order.body.id}'s order.created in Jaeger`, timeoutMs: 45_000, intervalMs: 500 },
    );

    const { spans } = trace;
    const orderServer = spans.find(
      (s) =>
        s.service === 'order-service' && s.kind === 'server' && httpMethod(s) === 'POST' && httpPath(s) === '/orders',
    );
    const byId = new Map(spans.map((s) => [s.id, s]));
    const ancestors = (s: Span): string[] => (s.parent ? [s.parent, ...ancestors(byId.get(s.parent)!)] : []);
    // order.created's producer span descends from the POST without crossing inventory (order.confirmed's does not).
    const producer = spans.find(
      (s) =>
        s.service === 'order-service' &&
        s.kind === 'producer' &&
        onOrdersTopic(s) &&
        !ancestors(s).some((id) => byId.get(id)?.service === 'inventory-service'),
    );
    const consumer = spans.find(
      (s) =>
        s.service === 'inventory-service' && s.kind === 'consumer' && onOrdersTopic(s) && s.parent === producer?.id,
    );
    expect(orderServer).toBeDefined();
    expect(producer).toBeDefined();
    expect(ancestors(producer!)).toContain(orderServer!.id);
    // Crossing Kafka: inventory's consumer span is the child of order's producer span (traceparent in the headers).
    expect(consumer).toBeDefined();

    if (platform.urls.gateway) {
      const gatewayServer = spans.find(
        (s) => s.service === 'gateway' && s.kind === 'server' && httpMethod(s) === 'POST',
      );
      expect(gatewayServer).toBeDefined();
      // The order service's server span descends from the gateway's (traceparent on the proxied request).
      expect(ancestors(orderServer!)).toContain(gatewayServer!.id);
    }
  });

  it('when Prometheus starts with the generated config, then it loads the chart alert rules and every target is up', async () => {
    const expected = Object.keys(platform.metricsPorts).sort();

    const targets = await waitFor(
      async () => {
        const res = await fetch(`${prometheus.url}/api/v1/targets?state=active`);
        const body = (await res.json()) as {
          data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> };
        };
        const active = body.data.activeTargets;
        return active.length === expected.length && active.every((t) => t.health === 'up') ? active : undefined;
      },
      { what: `Prometheus to scrape ${expected.join(', ')}`, timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(targets.map((t) => t.labels.service).sort()).toEqual(expected);
    expect(targets.every((t) => t.labels.namespace === 'platform')).toBe(true);

    // Every rule file rendered from the chart is loaded, with the alerts it defines.
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules?type=alert`)).json()) as {
      data: { groups: Array<{ name: string; file: string; rules: Array<{ name: string; health: string }> }> };
    };
    const loadedFiles = [...new Set(rules.data.groups.map((g) => g.file))].sort();
    expect(loadedFiles).toEqual([...prometheus.ruleFiles].sort());
    const alerts = rules.data.groups.flatMap((g) => g.rules);
    expect(alerts.map((a) => a.name)).toEqual(
      expect.arrayContaining(['OrderHighErrorRate', 'InventoryKafkaConsumerLag']),
    );
    expect(alerts.every((a) => a.health !== 'err')).toBe(true);

    // The rules' selectors (service="order",namespace="platform") match the local series.
    const query = encodeURIComponent('http_request_duration_seconds_count{service="order",namespace="platform"}');
    const series = await waitFor(
      async () => {
        const res = await fetch(`${prometheus.url}/api/v1/query?query=${query}`);
        const result = ((await res.json()) as { data: { result: unknown[] } }).data.result;
        return result.length > 0 ? result : undefined;
      },
      {
        what: 'the order service series under the labels the alert rules select on',
        timeoutMs: 15_000,
        intervalMs: 500,
      },
    );
    expect(series.length).toBeGreaterThan(0);
  });
});
