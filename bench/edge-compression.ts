import { objectIdHex } from '@platform/test-kit';
import { startTestGateway } from '../gateway/test/helpers/gateway';

/** What a client sends: nothing (identity), or what browsers send (br preferred), or gzip only. */
export const codings = { br: 'gzip, deflate, br', gzip: 'gzip', identity: undefined } as const;
export type Coding = keyof typeof codings;

export interface EdgeCompressionRound {
  /** CPU of the gateway's process per hit, ms, by what the client accepts. */
  cpuMsPerHit: Record<Coding, number>;
  /** Bytes of the answer's body as sent, by what the client accepts. */
  sentBytes: Record<Coding, number>;
}

/**
 * A catalogue page (20 products, about 5.5 KB of JSON, as the product service marks it for shared caches) held
 * in the gateway's edge cache, read `hits` times per round by a client that accepts nothing, br or gzip, in turn,
 * through Fastify's inject (no sockets: what is left is the gateway's own work per hit). Needs the local
 * infrastructure (`npm run infra:up`): the gateway starts with its Redis and Kafka.
 */
export async function measureEdgeCompression(options: {
  rounds: number;
  hits: number;
  log: (line: string) => void;
}): Promise<EdgeCompressionRound[]> {
  const gw = await startTestGateway({ LOG_LEVEL: 'silent' });
  try {
    const items = Array.from({ length: 20 }, (_, i) => ({
      id: objectIdHex(),
      sku: `SKU-${i}`,
      name: `A fine product number ${i}`,
      description: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.',
      priceMinor: 1999 + i,
      currency: 'EUR',
      createdAt: new Date(0).toISOString(),
    }));
    const body = JSON.stringify({ items, nextCursor: null });
    gw.stubs.product.handle((_request, response) => {
      response
        .writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(body)),
          'cache-control': 'public, max-age=0, s-maxage=3600',
        })
        .end(body);
    });
    const url = '/api/v1/products?limit=20&sort=price';
    const hit = (accept: string | undefined) =>
      gw.app.inject({ method: 'GET', url, headers: accept === undefined ? {} : { 'accept-encoding': accept } });
    // Stored, then every path warmed up (the JIT) before anything is measured.
    for (let i = 0; i < options.hits / 4; i++) for (const accept of Object.values(codings)) await hit(accept);
    const rounds: EdgeCompressionRound[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const cpuMsPerHit = {} as Record<Coding, number>;
      const sentBytes = {} as Record<Coding, number>;
      for (const coding of Object.keys(codings) as Coding[]) {
        const accept = codings[coding];
        const before = process.cpuUsage();
        let last = await hit(accept);
        for (let i = 1; i < options.hits; i++) last = await hit(accept);
        const used = process.cpuUsage(before);
        if (last.headers['cache-status']?.toString().startsWith('gateway; hit') !== true) {
          throw new Error(`not a cache hit: ${String(last.headers['cache-status'])}`);
        }
        cpuMsPerHit[coding] = (used.user + used.system) / 1000 / options.hits;
        sentBytes[coding] = last.rawPayload.length;
      }
      options.log(`round ${round}/${options.rounds}: ${JSON.stringify({ cpuMsPerHit, sentBytes })}`);
      rounds.push({ cpuMsPerHit, sentBytes });
    }
    return rounds;
  } finally {
    await gw.close();
  }
}
