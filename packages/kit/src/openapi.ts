import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
}

/**
 * Builds the service's OpenAPI 3 document from its route schemas (the single source of truth) and serves it at
 * `GET /openapi.json` for the gateway, which merges the services' documents into the public one.
 * Register it before the routes so every route is captured.
 */
async function openApiPlugin(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, version: options.version, description: options.description },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  app.get('/openapi.json', { schema: { hide: true }, logLevel: 'warn' }, async function openApiDocument() {
    return app.swagger();
  });
}

export const openapi = fp(openApiPlugin, { name: 'kit-openapi', fastify: '5.x' });
