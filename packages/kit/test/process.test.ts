import { isolatedMongoUrl, requireEnv, uniqueName, waitFor } from '@platform/test-kit';
import { spawnSampleService, type RunningService } from './fixtures/spawn-service';

function infraEnv(): NodeJS.ProcessEnv {
  return { MONGO_URL: isolatedMongoUrl('process'), REDIS_URL: requireEnv('REDIS_URL') };
}

// Each test starts a real process from TypeScript (tsx): on a loaded 2-core machine that alone can take a minute.
jest.setTimeout(150_000);

describe('a service process', () => {
  let service: RunningService | undefined;

  afterEach(() => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    service = undefined;
  });

  it('when configuration is bad or missing, then it exits 1 with one message naming every bad variable', async () => {
    service = spawnSampleService({ PORT: 'not-a-port', LOG_LEVEL: 'loud', REDIS_URL: 'http://wrong' });

    expect(await service.exited).toBe(1);
    const lines = service.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    const message = JSON.parse(lines[0]!) as { level: number; msg: string; problems: string[] };
    expect(message.level).toBe(60);
    expect(message.problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'LOG_LEVEL', 'MONGO_URL', 'REDIS_URL']);
    expect(message.msg).toContain('MONGO_URL');
  });

  it('when SIGTERM arrives with requests in flight, then all of them complete with 2xx and it exits 0', async () => {
    service = spawnSampleService({ ...infraEnv(), SLOW_MS: '1500', SHUTDOWN_TIMEOUT_MS: '10000' });
    const port = await service.port();
    const running = service;

    const inFlight = Array.from({ length: 5 }, () => fetch(`http://127.0.0.1:${port}/slow`));
    await waitFor(() => running.lines.filter((l) => l.msg === 'slow request started').length === 5, {
      what: 'all five requests to reach the handler',
    });
    running.child.kill('SIGTERM');

    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await running.exited).toBe(0);
    expect(running.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'shutdown complete']));
    // New connections are refused once shutdown has begun.
    await expect(fetch(`http://127.0.0.1:${port}/slow`)).rejects.toThrow();
  });

  it('when a second signal arrives during shutdown, then it exits 1 at once', async () => {
    service = spawnSampleService({ ...infraEnv(), SLOW_MS: '20000', SHUTDOWN_TIMEOUT_MS: '30000' });
    const port = await service.port();
    const running = service;
    const stuck = fetch(`http://127.0.0.1:${port}/slow`).catch(() => undefined);
    await waitFor(() => running.lines.some((l) => l.msg === 'slow request started'), { what: 'the request' });

    running.child.kill('SIGTERM');
    await waitFor(() => running.lines.some((l) => l.msg === 'shutting down'), { what: 'shutdown to begin' });
    running.child.kill('SIGTERM');

    expect(await running.exited).toBe(1);
    await stuck;
  });

  it('when in-flight work outlasts SHUTDOWN_TIMEOUT_MS, then it exits 1', async () => {
    service = spawnSampleService({ ...infraEnv(), SLOW_MS: '20000', SHUTDOWN_TIMEOUT_MS: '500' });
    const port = await service.port();
    const running = service;
    const stuck = fetch(`http://127.0.0.1:${port}/slow`).catch(() => undefined);
    await waitFor(() => running.lines.some((l) => l.msg === 'slow request started'), { what: 'the request' });

    running.child.kill('SIGTERM');

    expect(await running.exited).toBe(1);
    expect(running.lines.some((l) => String(l.msg).includes('killed by timeout'))).toBe(true);
    await stuck;
  });

  it('when an exception escapes outside any request, then it is logged as fatal and the process exits 1', async () => {
    service = spawnSampleService(infraEnv());
    const port = await service.port();

    const response = await fetch(`http://127.0.0.1:${port}/crash`, { method: 'POST' });
    expect(response.status).toBe(200);

    expect(await service.exited).toBe(1);
    const fatal = service.lines.find((l) => l.level === 60);
    expect(fatal).toMatchObject({ msg: 'uncaught error, shutting down', err: { message: 'boom outside the request' } });
  });

  it('when a request is served, then its log lines carry the request id and the trace and span ids', async () => {
    service = spawnSampleService({ ...infraEnv(), SLOW_MS: '0' });
    const port = await service.port();
    const requestId = uniqueName('req');

    const response = await fetch(`http://127.0.0.1:${port}/slow`, { headers: { 'x-request-id': requestId } });

    expect(response.headers.get('x-request-id')).toBe(requestId);
    const running = service;
    const line = await waitFor(() => running.lines.find((l) => l.msg === 'slow request started'), {
      what: 'the log line',
    });
    expect(line).toMatchObject({ requestId, service: 'sample' });
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(line?.span_id).toMatch(/^[0-9a-f]{16}$/);
  });
});
