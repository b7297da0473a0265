import swaggerUi from '@fastify/swagger-ui';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { OpenApiDocument } from '../../domain/openapi-merge';

/**
 * The only relaxation of the strict CSP, on /docs alone: Swagger UI's own scripts, styles and images from this
 * origin, and fetching the document. Still no inline script, no eval, no other origin, no framing.
 * Set by @fastify/swagger-ui (`staticCSP`) on its routes, after helmet's default.
 */
const DOCS_CSP = {
  'default-src': "'none'",
  'base-uri': "'none'",
  'connect-src': "'self'",
  'font-src': "'self' data:",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  'img-src': "'self' data:",
  'object-src': "'none'",
  'script-src': "'self'",
  'script-src-attr': "'none'",
  'style-src': "'self'",
};

const OpenApiJson = Type.Unsafe<OpenApiDocument>(
  Type.Object({}, { additionalProperties: true, description: 'OpenAPI 3 document' }),
);

export default async function docsRoutes(app: FastifyInstance): Promise<void> {
  function currentDocument(): OpenApiDocument {
    // A service that was down at the first fetch is asked again now, without making this caller wait.
    if (app.publicOpenApi.missing().length > 0) void app.publicOpenApi.refresh();
    return app.publicOpenApi.document();
  }

  app.get(
    '/openapi.json',
    { schema: { hide: true, response: { 200: OpenApiJson } }, logLevel: 'warn' },
    async function openApiDocument() {
      return currentDocument();
    },
  );

  // Swagger UI renders the merged public document (its /docs/json), not only the gateway's own routes.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: DOCS_CSP,
    transformSpecification: () => currentDocument() as unknown as Record<string, unknown>,
    transformSpecificationClone: false,
    logLevel: 'warn',
  });
}
