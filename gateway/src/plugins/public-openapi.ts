import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { UpstreamName, Upstreams } from '../clients/upstreams';
import { addPeriodicTask, ProblemSchema } from '@platform/kit';
import { mergeOpenApi, type EdgeResponses, type OpenApiDocument, type ServiceDocument } from '../domain/openapi-merge';

const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const retryAfter = { description: 'Seconds to wait before trying again', schema: { type: 'integer' } };

/** What the gateway may answer on any proxied operation, whatever the service documents. */
const edgeResponses: EdgeResponses = {
  429: {
    description: 'Too many requests: per client IP, per user, or per IP and account on register/login/refresh',
    headers: {
      'Retry-After': retryAfter,
      RateLimit: {
        description: 'The limit reached, nothing remaining, seconds until it resets, e.g. `"ip";r=0;t=42`',
        schema: { type: 'string' },
      },
      'RateLimit-Policy': {
        description: 'The limit reached: its quota and window in seconds, e.g. `"ip";q=300;w=60`',
        schema: { type: 'string' },
      },
    },
    content: problemContent,
  },
  502: { description: 'The service answered with an error or not as documented', content: problemContent },
  503: {
    description: 'The service is unavailable, overloaded or its circuit is open',
    headers: { 'Retry-After': retryAfter },
    content: problemContent,
  },
  504: { description: 'The service did not answer in time', content: problemContent },
};

export interface PublicOpenApi {
  /** The merged document as of the last refresh; services not fetched yet are missing from it. */
  document(): OpenApiDocument;
  /** Fetches every service's document again; resolves when done (a failed service keeps its last copy). */
  refresh(): Promise<void>;
  /** Services whose document has never been fetched. */
  missing(): UpstreamName[];
}

declare module 'fastify' {
  interface FastifyInstance {
    publicOpenApi: PublicOpenApi;
  }
}

export interface PublicOpenApiOptions {
  upstreams(): Upstreams;
  /** Service path -> public path, or undefined for paths the gateway does not expose. */
  publicPath(upstream: UpstreamName, path: string): string | undefined;
  refreshMs: number;
  retryMs: number;
}

/**
 * The public OpenAPI document: the gateway's own routes (documented by @fastify/swagger from their schemas, like
 * any service) merged with each service's `/openapi.json`. Cached; rebuilt every `refreshMs`, and every `retryMs`
 * while a service could not be fetched (it was down when the gateway started), so the gateway never waits for
 * its upstreams to start.
 */
async function publicOpenApiPlugin(app: FastifyInstance, options: PublicOpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Platform API',
        version: '1.0.0',
        description: 'The public API of the platform, served by the gateway under /api/v1.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: { Problem: JSON.parse(JSON.stringify(ProblemSchema)) as Record<string, unknown> },
      },
    },
  });

  const documents = new Map<UpstreamName, OpenApiDocument>();
  let merged: OpenApiDocument | undefined;
  let inFlight: Promise<void> | undefined;

  async function fetchOne(name: UpstreamName): Promise<void> {
    try {
      documents.set(name, await options.upstreams()[name].getJson<OpenApiDocument>('/openapi.json'));
    } catch (err) {
      app.log.warn({ err, upstream: name }, 'could not fetch the OpenAPI document of a service; will retry');
    }
  }

  function missing(): UpstreamName[] {
    return (Object.keys(options.upstreams()) as UpstreamName[]).filter((name) => !documents.has(name));
  }

  function refresh(): Promise<void> {
    inFlight ??= Promise.all((Object.keys(options.upstreams()) as UpstreamName[]).map(fetchOne)).then(
      function rebuild() {
        merged = undefined;
        inFlight = undefined;
      },
    );
    return inFlight;
  }

  // The kit's periodic task: first run once the app is ready (not awaited: readiness must not depend on every
  // service being up), then every refreshMs, or after retryMs while a service's document is still missing.
  const refreshTask = addPeriodicTask(app, {
    name: 'openapi-refresh',
    intervalMs: options.refreshMs,
    initialDelayMs: 0,
    async run() {
      await refresh();
      if (missing().length > 0) refreshTask.trigger(options.retryMs);
    },
  });

  function document(): OpenApiDocument {
    merged ??= mergeOpenApi(
      app.swagger() as unknown as OpenApiDocument,
      [...documents].map(([name, doc]): ServiceDocument => ({
        name,
        document: doc,
        publicPath: (path) => options.publicPath(name, path),
      })),
      edgeResponses,
    );
    return merged;
  }

  app.decorate<PublicOpenApi>('publicOpenApi', { document, refresh, missing });
  // The task stops on close; a refresh the docs route started may still be running.
  app.addHook('onClose', async function awaitRefresh() {
    await inFlight;
  });
}

export const publicOpenApi = fp(publicOpenApiPlugin, {
  name: 'gateway-public-openapi',
  fastify: '5.x',
  dependencies: ['kit-metrics'],
});
