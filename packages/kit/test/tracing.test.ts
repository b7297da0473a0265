import { once } from 'node:events';
import { ObjectId } from 'mongodb';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isolatedMongoUrl, requireEnv, waitFor } from '@platform/test-kit';
import { mongoStatementShape } from '../src/tracing/db-statement';
import { samplerFromEnv } from '../src/tracing/sampler';
import { spawnSampleService, type RunningService } from './fixtures/spawn-service';

/** The OTLP/HTTP JSON the trace exporter sends, reduced to what the assertions read. */
interface OtlpSpan {
  traceId: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
}
interface OtlpRequest {
  resourceSpans: Array<{ scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
}
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

/** A stand-in OTLP/HTTP collector on loopback that keeps every span it receives, with its instrumentation scope. */
async function startCollector() {
  const spans: Array<OtlpSpan & { scope: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as OtlpRequest;
      for (const rs of request.resourceSpans)
        for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ ...span, scope: ss.scope.name });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { spans, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const attribute = (span: OtlpSpan, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;

describe('tracing', () => {
  let service: RunningService | undefined;
  afterEach(() => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    service = undefined;
  });

  it('when a route runs one mongoose query, then its trace has exactly one database client span', async () => {
    const collector = await startCollector();
    try {
      service = spawnSampleService({
        MONGO_URL: isolatedMongoUrl('tracing'),
        REDIS_URL: requireEnv('REDIS_URL'),
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      });
      const port = await service.port();
      const res = await fetch(`http://127.0.0.1:${port}/db`);
      expect(res.status).toBe(200);
      // Graceful shutdown flushes the batched spans to the collector.
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);

      const server = collector.spans.find((s) => s.kind === SPAN_KIND_SERVER && attribute(s, 'http.route') === '/db');
      expect(server?.name).toBe('GET /db');
      const dbSpans = collector.spans.filter(
        (s) => s.traceId === server!.traceId && (attribute(s, 'db.system.name') ?? attribute(s, 'db.system')),
      );
      expect(dbSpans).toHaveLength(1);
      expect(dbSpans[0]).toMatchObject({ kind: SPAN_KIND_CLIENT, scope: '@opentelemetry/instrumentation-mongodb' });
      // The query's shape, never its values (mongoStatementShape).
      expect(attribute(dbSpans[0]!, 'db.query.text') ?? attribute(dbSpans[0]!, 'db.statement')).toBe(
        '{"find":"?","filter":{"name":"?"},"limit":"?","singleBatch":"?"}',
      );
    } finally {
      collector.close();
    }
  }, 150_000);

  it('when no exporter endpoint is set, then nothing is recorded, yet each request still logs a trace id', async () => {
    service = spawnSampleService({ MONGO_URL: isolatedMongoUrl('tracing-off'), REDIS_URL: requireEnv('REDIS_URL') });
    const port = await service.port();
    const res = await fetch(`http://127.0.0.1:${port}/db`, {
      // A sampled caller: parent-based sampling would record this trace, were anything exported.
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(res.status).toBe(200);
    const fresh = await fetch(`http://127.0.0.1:${port}/db`);
    expect(fresh.status).toBe(200);

    const traced = await waitFor(
      () => {
        const lines = service!.lines.filter(
          (l) => l.msg === 'request completed' && (l.req as { url?: string } | undefined)?.url === '/db',
        );
        return lines.length >= 2 && lines;
      },
      { what: 'the access lines of both requests' },
    );
    expect(traced[0]).toMatchObject({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', trace_flags: '00' });
    expect(traced[1]!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(traced[1]!.trace_id).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traced[1]).toMatchObject({ trace_flags: '00' });
  }, 150_000);

  it('when OTEL_SDK_DISABLED is true, then nothing is instrumented: requests are served and log no trace id', async () => {
    service = spawnSampleService({
      MONGO_URL: isolatedMongoUrl('tracing-disabled'),
      REDIS_URL: requireEnv('REDIS_URL'),
      OTEL_SDK_DISABLED: 'true',
    });
    const port = await service.port();
    const res = await fetch(`http://127.0.0.1:${port}/db`, {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(res.status).toBe(200);
    const line = await waitFor(
      () =>
        service!.lines.find(
          (l) => l.msg === 'request completed' && (l.req as { url?: string } | undefined)?.url === '/db',
        ),
      { what: 'the access line' },
    );
    expect(line).not.toHaveProperty('trace_id');
  }, 150_000);
});

describe('samplerFromEnv', () => {
  it('when nothing is set, then it samples parent-based with ratio 1', () => {
    expect(samplerFromEnv({}).toString()).toBe(
      'ParentBased{root=TraceIdRatioBased{1}, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}',
    );
  });

  it('when OTEL_TRACES_SAMPLER and its ratio are set, then they are honoured', () => {
    const env = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' };
    expect(samplerFromEnv(env).toString()).toContain('root=TraceIdRatioBased{0.25}');
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
  });

  it('when the sampler or its ratio is invalid, then it throws naming the variable', () => {
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER must be one of/);
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});

describe('mongoStatementShape', () => {
  it('when a command carries documents and values, then only its keys, value marks and array lengths remain', () => {
    const insert = {
      insert: 'orders',
      documents: [{ _id: new ObjectId(), outbox: [{ event: { payload: { secret: 'x' } } }] }],
      ordered: true,
    };
    expect(mongoStatementShape(insert)).toBe('{"insert":"?","documents":"[1]","ordered":"?"}');
    const filter = { _id: new ObjectId(), createdAt: { $lt: new Date() }, a: { b: { c: { d: 1 } } } };
    expect(mongoStatementShape(filter)).toBe('{"_id":"?","createdAt":{"$lt":"?"},"a":{"b":{"c":"{…}"}}}');
  });
});
