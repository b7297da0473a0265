import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createProductClient, type ProductClient } from '../clients/product-client';

declare module 'fastify' {
  interface FastifyInstance {
    productClient: ProductClient;
  }
}

export interface ProductClientPluginOptions {
  baseUrl: string;
  timeoutMs: number;
}

async function productClientPlugin(app: FastifyInstance, options: ProductClientPluginOptions): Promise<void> {
  const client = createProductClient({
    ...options,
    registry: app.metrics,
    logger: app.log as unknown as Logger,
  });
  app.decorate('productClient', client);
  app.addHook('onClose', async function closeProductClient() {
    await client.close();
  });
}

export const productClient = fp(productClientPlugin, { name: 'order-product-client', dependencies: ['kit-metrics'] });
