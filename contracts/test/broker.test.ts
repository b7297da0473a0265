import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerConfig, canIDeploy, publish } from '../broker';

/** A stand-in Pact Broker that records calls and answers can-i-deploy as told. */
async function startBroker(deployable: Record<string, boolean | null>) {
  const calls: Array<{ method: string; url: string; auth?: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const url = new URL(req.url!, 'http://broker');
      if (url.pathname === '/can-i-deploy') {
        const answer = deployable[url.searchParams.get('pacticipant')!];
        res.writeHead(200, { 'content-type': 'application/hal+json' });
        return res.end(JSON.stringify({ summary: { deployable: answer, reason: 'stub' } }));
      }
      res.writeHead(req.method === 'PUT' ? 201 : 404, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('Pact Broker steps (contracts/broker.ts)', () => {
  const env = (url: string) => ({
    PACT_BROKER_BASE_URL: url,
    PACT_BROKER_TOKEN: 't0k',
    GITHUB_SHA: 'abc123',
    GITHUB_REF_NAME: 'main',
  });

  it('when publishing, then each pact is PUT under its consumer version and the version gets its branch', async () => {
    const broker = await startBroker({});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pacts-'));
    fs.writeFileSync(
      path.join(dir, 'gateway-user-service.json'),
      JSON.stringify({ consumer: { name: 'gateway' }, provider: { name: 'user-service' } }),
    );
    try {
      await publish(brokerConfig(env(broker.url)), dir);
      expect(broker.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
        'PUT /pacts/provider/user-service/consumer/gateway/version/abc123',
        'PUT /pacticipants/gateway/branches/main/versions/abc123',
      ]);
      expect(broker.calls[0]!.auth).toBe('Bearer t0k');
      expect(JSON.parse(broker.calls[0]!.body)).toMatchObject({ consumer: { name: 'gateway' } });
    } finally {
      await broker.close();
    }
  });

  it('when one pacticipant is not deployable, then can-i-deploy says no', async () => {
    const broker = await startBroker({ gateway: true, 'order-service': false });
    try {
      const config = brokerConfig(env(broker.url));
      expect(await canIDeploy(config, ['gateway'], 'production')).toBe(true);
      expect(await canIDeploy(config, ['gateway', 'order-service'], 'production')).toBe(false);
      expect(broker.calls.at(-1)!.url).toBe(
        '/can-i-deploy?pacticipant=order-service&version=abc123&environment=production',
      );
    } finally {
      await broker.close();
    }
  });

  it('when the answer stays unknown, then can-i-deploy says no after its retries', async () => {
    const broker = await startBroker({ gateway: null });
    try {
      expect(
        await canIDeploy(brokerConfig(env(broker.url)), ['gateway'], 'production', { retries: 2, intervalMs: 1 }),
      ).toBe(false);
      expect(broker.calls).toHaveLength(3);
    } finally {
      await broker.close();
    }
  });

  it('when the broker URL or the version is missing, then configuration fails naming it', () => {
    expect(() => brokerConfig({ GITHUB_SHA: 'x' })).toThrow(/PACT_BROKER_BASE_URL/);
    expect(() => brokerConfig({ PACT_BROKER_BASE_URL: 'https://broker' })).toThrow(/PACT_VERSION/);
  });
});
