/** The parts of an OpenAPI 3 document the merge touches; everything else is carried over as it is. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown> | undefined>;
  tags?: Array<{ name: string; description?: string }>;
  [key: string]: unknown;
}

export interface ServiceDocument {
  /** Service name; prefixes its component names so that two services' `Product` schemas cannot collide. */
  name: string;
  document: OpenApiDocument;
  /** Maps a service path to its public path, or undefined to leave it out (internal routes). */
  publicPath(path: string): string | undefined;
}

/** Answers the edge itself may give on any proxied operation (rate limits, upstream failures), by status. */
export type EdgeResponses = Record<string, unknown>;

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Adds the edge's own answers to every operation of a path item that does not document that status yet. */
function withEdgeResponses(item: Record<string, unknown>, edge: EdgeResponses): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item).map(([method, operation]) => {
      if (!HTTP_METHODS.has(method) || operation === null || typeof operation !== 'object') return [method, operation];
      const op = operation as { responses?: Record<string, unknown> };
      return [method, { ...op, responses: { ...edge, ...op.responses } }];
    }),
  );
}

/** Security schemes are the platform's, the same in every service: shared, never renamed. */
const SHARED_COMPONENTS = new Set(['securitySchemes']);

function renameRefs(value: unknown, prefix: string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameRefs(item, prefix));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      if (key === '$ref' && typeof inner === 'string') {
        return [
          key,
          inner.replace(/^#\/components\/([^/]+)\/(.+)$/, (_m, kind: string, name: string) =>
            SHARED_COMPONENTS.has(kind) ? `#/components/${kind}/${name}` : `#/components/${kind}/${prefix}${name}`,
          ),
        ];
      }
      return [key, renameRefs(inner, prefix)];
    }),
  );
}

function componentPrefix(service: string): string {
  return `${service.replace(/[^\w.-]/g, '_')}_`;
}

/**
 * One public document from the services' own: paths rewritten to the public prefix, components namespaced per
 * service (and every $ref with them), security schemes and operation-level `security` kept, tags united, and
 * the answers the edge itself gives (429, 502-504) added to every service operation.
 * Pure, so it is unit-tested without HTTP.
 */
export function mergeOpenApi(
  base: OpenApiDocument,
  services: readonly ServiceDocument[],
  edgeResponses: EdgeResponses = {},
): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = { ...base.paths };
  const components: Record<string, Record<string, unknown>> = {};
  const tags = new Map((base.tags ?? []).map((tag) => [tag.name, tag]));
  for (const [kind, entries] of Object.entries(base.components ?? {})) components[kind] = { ...entries };

  for (const { name, document, publicPath } of services) {
    const prefix = componentPrefix(name);
    const renamed = renameRefs(document, prefix) as OpenApiDocument;
    for (const [path, item] of Object.entries(renamed.paths ?? {})) {
      const target = publicPath(path);
      if (target !== undefined) paths[target] = { ...paths[target], ...withEdgeResponses(item, edgeResponses) };
    }
    for (const [kind, entries] of Object.entries(renamed.components ?? {})) {
      const merged = (components[kind] ??= {});
      for (const [key, component] of Object.entries(entries ?? {})) {
        merged[SHARED_COMPONENTS.has(kind) ? key : `${prefix}${key}`] = component;
      }
    }
    for (const tag of renamed.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag);
  }

  return {
    ...base,
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components,
    ...(tags.size > 0 ? { tags: [...tags.values()] } : {}),
  };
}
