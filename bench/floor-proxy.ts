/**
 * The cheapest hop Node can make, for the gateway benchmark's `node` target: a Fastify server that sends each
 * `/api/v1/products/...` and `/api/v1/orders/...` request on to its service over a keep-alive undici pool and
 * answers with the status, the few headers a client needs and the body it read. No logging, metrics, tracing,
 * rate limits, token checks, breaker or security headers: what the gateway's features cost is its CPU per
 * request minus this one's. Started by bench/gateway.ts with FLOOR_PORT, PRODUCT_URL and ORDER_URL; loopback only.
 */
import Fastify from 'fastify';
import { Pool } from 'undici';

const upstreams = {
  products: new Pool(process.env.PRODUCT_URL!, { connections: 64 }),
  orders: new Pool(process.env.ORDER_URL!, { connections: 64 }),
};
const passed = ['content-type', 'content-length', 'etag', 'cache-control', 'last-modified'];

const app = Fastify({ logger: false });
app.get('/api/v1/:collection/*', async function forward(request, reply) {
  const { collection } = request.params as { collection: string };
  const pool = upstreams[collection as keyof typeof upstreams];
  if (!pool) return reply.code(404).send();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.headers.authorization) headers.authorization = request.headers.authorization;
  const upstream = await pool.request({ method: 'GET', path: request.url.slice('/api/v1'.length), headers });
  const body = Buffer.from(await upstream.body.arrayBuffer());
  reply.code(upstream.statusCode);
  for (const name of passed) {
    const value = upstream.headers[name];
    if (typeof value === 'string' && name !== 'content-length') reply.header(name, value);
  }
  return reply.send(body);
});

app.listen({ host: '127.0.0.1', port: Number(process.env.FLOOR_PORT) }).catch((err: unknown) => {
  process.stderr.write(`floor proxy: ${String(err)}\n`);
  process.exit(1);
});
