import net from 'node:net';

/** What the balancer does to the traffic it passes: nothing, a delay on every chunk sent upstream, or a reset. */
export type BalancerFault = { kind: 'none' } | { kind: 'delay'; ms: number } | { kind: 'reset' };

export interface LoopbackBalancer {
  /** `http://127.0.0.1:<port>`: what callers are configured with instead of a backend's own address. */
  readonly url: string;
  readonly port: number;
  /** Backend ports new connections go to, round robin. Established connections stay where they are. */
  setBackends(ports: readonly number[]): void;
  backends(): number[];
  /** `reset` also drops every established connection, so kept-alive callers see the failure at once. */
  setFault(fault: BalancerFault): void;
  close(): Promise<void>;
}

/**
 * A TCP balancer on loopback, standing in for what a Kubernetes Service gives a caller: one stable address in front
 * of a changing set of replicas (new connections go to the current ones, established connections stay with their
 * replica until it closes them), and, for fault injection, added latency or connections reset. It works on bytes,
 * so the processes behind and in front of it run unchanged: nothing in them knows about the test.
 */
export async function startLoopbackBalancer(port: number, backends: readonly number[] = []): Promise<LoopbackBalancer> {
  let targets = [...backends];
  let next = 0;
  let fault: BalancerFault = { kind: 'none' };
  const open = new Set<net.Socket>();

  const server = net.createServer(function relay(client) {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    if (fault.kind === 'reset' || targets.length === 0) return void client.resetAndDestroy();
    const target = targets[next++ % targets.length]!;
    const upstream = net.connect(target, '127.0.0.1');
    open.add(upstream);
    upstream.once('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => (client.destroyed ? undefined : client.resetAndDestroy()));
    client.once('close', () => upstream.destroy());
    client.on('data', function forward(chunk: Buffer) {
      const delay = fault.kind === 'delay' ? fault.ms : 0;
      if (delay === 0) upstream.write(chunk);
      // Same delay for every chunk of a connection: timers of equal delay fire in order, so bytes stay in order.
      else setTimeout(() => upstream.destroyed || upstream.write(chunk), delay);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setBackends(ports) {
      targets = [...ports];
    },
    backends: () => [...targets],
    setFault(next) {
      fault = next;
      if (next.kind === 'reset') for (const socket of open) socket.resetAndDestroy();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
