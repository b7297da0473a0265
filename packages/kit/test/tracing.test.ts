import { once } from 'node:events';
import { ObjectId } from 'mongodb';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isolatedMongoUrl, requireEnv, waitFor } from '@platform/test-kit';
import { mongoStatementShape } from '../src/tracing/db-statement';
import { samplerFromEnv } from '../src/tracing/sampler';
import { enabledInstrumentations } from '../src/tracing/switches';
import { spawnSampleService, type RunningService } from './fixtures/spawn-service';

/** The OTLP/HTTP JSON the trace exporter sends, reduced to what the assertions read. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }>;
}
interface OtlpRequest {
  resourceSpans: Array<{ scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
}
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

/** Listens on a free loopback port; resolves with its URL and a close function. */
async function listenOnLoopback(server: http.Server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

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
  return { spans, ...(await listenOnLoopback(server)) };
}

/** POSTs JSON whose body is sent 100 ms after the headers; resolves with the status. */
async function postLate(port: number, path: string, body: string, headers: Record<string, string>): Promise<number> {
  const request = http.request({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  request.flushHeaders();
  setTimeout(() => request.end(body), 100);
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  response.resume();
  await once(response, 'end');
  return response.statusCode!;
}

/** A stand-in upstream on loopback that keeps the raw `traceparent` lines of every request it receives. */
async function startUpstream() {
  const traceparents: string[][] = [];
  const server = http.createServer((req, res) => {
    const lines: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.toLowerCase() === 'traceparent') lines.push(req.rawHeaders[i + 1]!);
    }
    traceparents.push(lines);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  return { traceparents, ...(await listenOnLoopback(server)) };
}

const attribute = (span: OtlpSpan, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;

describe('tracing', () => {
  let service: RunningService | undefined;
  afterEach(() => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    service = undefined;
  });

  /**
   * Runs the sample service exporting to a stand-in collector, calls it (`calls` gets its port), then stops it
   * gracefully, which flushes the batched spans, and returns every span the collector received.
   */
  async function exportedSpans(database: string, calls: (port: number) => Promise<void>, env: NodeJS.ProcessEnv = {}) {
    const collector = await startCollector();
    try {
      service = spawnSampleService({
        MONGO_URL: isolatedMongoUrl(database),
        REDIS_URL: requireEnv('REDIS_URL'),
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        ...env,
      });
      await calls(await service.port());
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      return collector.spans;
    } finally {
      collector.close();
    }
  }

  it('when a route runs one mongoose query, then its trace has exactly one database client span', async () => {
    const spans = await exportedSpans('tracing', async (port) => {
      const res = await fetch(`http://127.0.0.1:${port}/db`);
      expect(res.status).toBe(200);
    });

    const server = spans.find((s) => s.kind === SPAN_KIND_SERVER && attribute(s, 'http.route') === '/db');
    expect(server?.name).toBe('GET /db');
    const dbSpans = spans.filter(
      (s) => s.traceId === server!.traceId && (attribute(s, 'db.system.name') ?? attribute(s, 'db.system')),
    );
    expect(dbSpans).toHaveLength(1);
    expect(dbSpans[0]).toMatchObject({ kind: SPAN_KIND_CLIENT, scope: '@opentelemetry/instrumentation-mongodb' });
    // The query's shape, never its values (mongoStatementShape).
    expect(attribute(dbSpans[0]!, 'db.query.text') ?? attribute(dbSpans[0]!, 'db.statement')).toBe(
      '{"find":"?","filter":{"name":"?"},"limit":"?","singleBatch":"?"}',
    );
  }, 150_000);

  it('when a request carries a body, a traceparent or fails, then its server span says so and its work is its child', async () => {
    const spans = await exportedSpans('tracing-spans', async (port) => {
      // The body leaves well after the headers, so it reaches the server in a read of its own, outside the
      // context the request started in (a body in the headers' packet would be read within it).
      const posted = await postLate(port, '/db', JSON.stringify({ name: 'absent' }), {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      });
      expect(posted).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/fail`)).status).toBe(500);
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    });

    const server = spans.find((s) => s.kind === SPAN_KIND_SERVER && s.name === 'POST /db');
    // The caller's trace continues: same trace id, the caller's span as parent.
    expect(server).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7' });
    expect(attribute(server!, 'url.path')).toBe('/db');
    // The query runs after the body was read, still inside the server span.
    const db = spans.find((s) => s.traceId === server!.traceId && s.kind === SPAN_KIND_CLIENT);
    expect(db?.parentSpanId).toBe(server!.spanId);

    const failed = spans.find((s) => s.kind === SPAN_KIND_SERVER && s.name === 'GET /fail');
    const status = failed?.attributes.find((a) => a.key === 'http.response.status_code')?.value.intValue;
    expect(Number(status)).toBe(500);
    expect(failed?.status?.code).toBe(2); // ERROR
    // Probes are not traced, nor is the work they do (the readiness check's pings).
    expect(spans.filter((s) => attribute(s, 'url.path')?.startsWith('/health'))).toEqual([]);
    expect(spans.filter((s) => s.traceId !== server!.traceId && s.kind === SPAN_KIND_CLIENT)).toEqual([]);
  }, 150_000);

  it("when a request calls an upstream, passing on its caller's traceparent, then the upstream gets one traceparent: the client span's", async () => {
    const upstream = await startUpstream();
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    let spans: Awaited<ReturnType<typeof exportedSpans>>;
    try {
      spans = await exportedSpans(
        'tracing-client',
        async (port) => {
          const res = await fetch(`http://127.0.0.1:${port}/upstream?cursor=secret`, {
            headers: { traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` },
          });
          expect(await res.json()).toEqual({ status: 200 });
        },
        { UPSTREAM_URL: upstream.url },
      );
    } finally {
      upstream.close();
    }

    // One line, not the caller's passed on beside the client span's (joined, the two would not parse).
    expect(upstream.traceparents.map((lines) => lines.length)).toEqual([1]);
    const server = spans.find((s) => s.kind === SPAN_KIND_SERVER && s.name === 'GET /upstream');
    expect(server).toMatchObject({ traceId: callerTrace, parentSpanId: '00f067aa0ba902b7' });
    const client = spans.find((s) => s.kind === SPAN_KIND_CLIENT && s.scope === '@platform/kit/http-client');
    expect(client).toMatchObject({ traceId: callerTrace, parentSpanId: server!.spanId, name: 'GET' });
    expect(attribute(client!, 'url.full')).toBe(`${upstream.url}/echo`);
    expect(upstream.traceparents).toEqual([[`00-${callerTrace}-${client!.spanId}-01`]]);
  }, 150_000);

  it('when the client spans are switched off, then the traceparent a service passes on reaches the upstream as it was', async () => {
    const upstream = await startUpstream();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    try {
      await exportedSpans(
        'tracing-client-off',
        async (port) => {
          const res = await fetch(`http://127.0.0.1:${port}/upstream`, { headers: { traceparent } });
          expect(res.status).toBe(200);
        },
        { UPSTREAM_URL: upstream.url, OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'undici' },
      );
    } finally {
      upstream.close();
    }
    expect(upstream.traceparents).toEqual([[traceparent]]);
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

describe('enabledInstrumentations', () => {
  it('when nothing is disabled, then every instrumentation is on', () => {
    expect(enabledInstrumentations({})).toEqual(['http', 'undici', 'mongodb', 'ioredis', 'kafkajs']);
  });

  it('when OTEL_NODE_DISABLED_INSTRUMENTATIONS names some, then exactly those are off', () => {
    const env = { OTEL_NODE_DISABLED_INSTRUMENTATIONS: ' ioredis,undici ,' };
    expect(enabledInstrumentations(env)).toEqual(['http', 'mongodb', 'kafkajs']);
  });

  it('when OTEL_SDK_DISABLED is true, then none is on', () => {
    expect(enabledInstrumentations({ OTEL_SDK_DISABLED: 'true' })).toEqual([]);
  });

  it('when it names an unknown instrumentation, then it throws naming it and the known ones', () => {
    expect(() => enabledInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'redis' })).toThrow(
      /unknown instrumentation\(s\) redis \(known: http, undici, mongodb, ioredis, kafkajs\)/,
    );
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
