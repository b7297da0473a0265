import { appWithLogs } from './helpers';

describe('logging', () => {
  it('when a request carries credentials, then the log lines redact them', async () => {
    const { app, logs } = await appWithLogs();
    app.post('/login', async (request) => {
      request.log.info({ body: request.body }, 'login attempt');
      return { ok: true };
    });

    await app.inject({
      method: 'POST',
      url: '/login',
      headers: { authorization: 'Bearer secret-jwt', cookie: 'sid=secret-cookie' },
      payload: { email: 'a@example.com', password: 'secret-password', refreshToken: 'secret-refresh' },
    });
    await app.close();

    const text = JSON.stringify(logs);
    expect(text).not.toMatch(/secret-(jwt|cookie|password|refresh)/);
    expect(logs.find((l) => l.msg === 'login attempt')).toMatchObject({
      body: { email: 'a@example.com', password: '[REDACTED]', refreshToken: '[REDACTED]' },
    });
  });

  it('when no request id is sent, then one is generated, logged and echoed; a sent one is reused', async () => {
    const { app, logs } = await appWithLogs();
    app.get('/ping', async () => 'pong');

    const generated = await app.inject({ method: 'GET', url: '/ping' });
    const reused = await app.inject({ method: 'GET', url: '/ping', headers: { 'x-request-id': 'abc-123' } });
    const hostile = await app.inject({
      method: 'GET',
      url: '/ping',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    await app.close();

    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(reused.headers['x-request-id']).toBe('abc-123');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // One access line per request, with what the request and its answer were.
    const lines = logs.filter((l) => l.requestId === 'abc-123');
    expect(lines.map((l) => l.msg)).toEqual(['request completed']);
    expect(lines[0]).toMatchObject({ req: { method: 'GET', url: '/ping' }, res: { statusCode: 200 } });
  });

  it('when a request completes, then its access line names the request and its answer, and no header', async () => {
    const { app, logs } = await appWithLogs();
    app.get('/quiet', { logLevel: 'warn' }, async () => 'shh');
    app.get('/item', async () => 'ok');

    await app.inject({ method: 'GET', url: '/quiet' });
    await app.inject({ method: 'GET', url: '/item?x=1', headers: { authorization: 'Bearer secret-jwt' } });
    await app.close();

    const access = logs.filter((l) => l.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 30,
      requestId: expect.any(String),
      req: { method: 'GET', url: '/item?x=1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(JSON.stringify(access[0])).not.toMatch(/secret-jwt|authorization/);
  });

  it("when a route writes to request.log, then its lines carry the request id and honour the route's level", async () => {
    const { app, logs } = await appWithLogs();
    app.get('/quiet', { logLevel: 'warn' }, async (request) => {
      request.log.info('not written');
      request.log.warn({ step: 1 }, 'written at warn');
      const child = request.log.child({ part: 'quiet' });
      child.info('not written by the child');
      child.warn('the child at warn');
      return { enabled: request.log.level };
    });
    app.get('/nested', async (request) => {
      request.log.child({ part: 'inner' }).info({ password: 'secret-password' }, 'from a child');
      return 'ok';
    });

    const quiet = await app.inject({ method: 'GET', url: '/quiet', headers: { 'x-request-id': 'quiet-1' } });
    await app.inject({ method: 'GET', url: '/nested', headers: { 'x-request-id': 'nested-1' } });
    await app.close();

    expect(quiet.json()).toEqual({ enabled: 'warn' });
    expect(logs.filter((l) => l.requestId === 'quiet-1').map((l) => l.msg)).toEqual([
      'written at warn',
      'the child at warn',
    ]);
    expect(logs.find((l) => l.msg === 'the child at warn')).toMatchObject({ level: 40, part: 'quiet' });
    expect(logs.find((l) => l.msg === 'written at warn')).toMatchObject({ level: 40, step: 1 });
    expect(logs.find((l) => l.msg === 'from a child')).toMatchObject({
      requestId: 'nested-1',
      part: 'inner',
      password: '[REDACTED]',
    });
  });
});
