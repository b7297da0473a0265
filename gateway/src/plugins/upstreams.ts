import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createUpstreams, type Upstreams } from '../clients/upstreams';
import type { GatewayConfig } from '../config';

declare module 'fastify' {
  interface FastifyInstance {
    upstreams: Upstreams;
  }
}

async function upstreamsPlugin(app: FastifyInstance, options: { config: Readonly<GatewayConfig> }): Promise<void> {
  const upstreams = createUpstreams(options.config, app.metrics, app.log as unknown as Logger);
  app.decorate('upstreams', upstreams);
  // After the server stopped taking requests, so in-flight proxied calls finish before their pools close.
  app.addHook('onClose', async function closeUpstreams() {
    await Promise.all(Object.values(upstreams).map((client) => client.close()));
  });
}

export const upstreams = fp(upstreamsPlugin, {
  name: 'gateway-upstreams',
  fastify: '5.x',
  dependencies: ['kit-metrics'],
});
