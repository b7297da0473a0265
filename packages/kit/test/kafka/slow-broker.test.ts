import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { uniqueName } from '@platform/test-kit';
import { createApp, kafka } from '@platform/kit';

const config = { SERVICE_NAME: 'slow-broker-test', LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: 1024 } as const;

/** A "broker" on loopback that accepts connections and never answers: busy or half-restarted, not down. */
async function silentBroker(): Promise<{ address: string; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

it('when the broker accepts connections but never answers, then the app is ready within seconds, not failed by the plugin timeout', async () => {
  const broker = await silentBroker();
  const app = await createApp({ config });
  try {
    await app.register(kafka, {
      clientId: 'slow-broker-test',
      brokers: [broker.address],
      topics: [{ topic: uniqueName('slow-broker'), numPartitions: 1 }],
    });
    const started = Date.now();
    await app.ready();
    // Fastify gives a plugin 10 s; the kit waits 4 s for the topics and 4 s for the producer, then goes on.
    expect(Date.now() - started).toBeLessThan(9_500);
  } finally {
    broker.close();
    await app.close();
  }
}, 30_000);
