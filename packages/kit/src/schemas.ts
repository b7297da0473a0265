import http from 'node:http';
import { Type, type TObject, type TProperties, type TSchema } from 'typebox';

/**
 * Route schemas for what the kit itself answers, in TypeBox (JSON Schema), so every service documents its
 * problem+json responses the same way in its OpenAPI document.
 */
export const InvalidFieldSchema = Type.Object(
  {
    in: Type.String({ description: 'body, querystring, params or headers' }),
    field: Type.String({ description: 'JSON-pointer-like path of the offending field' }),
    message: Type.String(),
  },
  { additionalProperties: false },
);

const problemProperties = {
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  code: Type.String({ description: 'Stable error code, e.g. ORDER_NOT_FOUND' }),
  requestId: Type.String(),
  errors: Type.Optional(
    Type.Array(InvalidFieldSchema, { description: 'VALIDATION_FAILED: the first few invalid fields' }),
  ),
};

/** RFC 9457 problem details as the kit's error handler writes them. */
export const ProblemSchema = Type.Object(problemProperties, {
  additionalProperties: false,
  description: 'application/problem+json',
});

/** How a problem answer is documented: its real media type, not the `application/json` a bare schema implies. */
export interface ProblemResponse<T extends TSchema = typeof ProblemSchema> {
  description: string;
  content: { 'application/problem+json': { schema: T } };
}

function problemResponse<T extends TSchema>(schema: T, description: string): ProblemResponse<T> {
  return { description, content: { 'application/problem+json': { schema } } };
}

function statusText(status: number): string {
  return http.STATUS_CODES[status] ?? 'Error';
}

/**
 * `{ 404: …, 409: … }` for the statuses a route can answer with a problem, each as `application/problem+json`
 * (Fastify picks the serializer by the answer's media type; @fastify/swagger documents it as such).
 */
export function problems<const S extends number>(...statuses: S[]): Record<S, ProblemResponse> {
  return Object.fromEntries(
    statuses.map((status) => [status, problemResponse(ProblemSchema, statusText(status))]),
  ) as Record<S, ProblemResponse>;
}

export interface ProblemOptions {
  /** Extension members a service adds to some problems (e.g. the unknown product ids of a 422). */
  extensions?: TProperties;
  /** What each status means for this service, shown in its OpenAPI document. */
  descriptions?: Partial<Record<number, string>>;
}

/** Like `problems`, for a service whose problems carry extensions or per-status descriptions. */
export function defineProblems(
  options: ProblemOptions,
): (...statuses: number[]) => Record<number, ProblemResponse<TObject>> {
  const schema = Type.Object({ ...problemProperties, ...options.extensions }, { additionalProperties: false });
  return (...statuses) =>
    Object.fromEntries(
      statuses.map((status) => [status, problemResponse(schema, options.descriptions?.[status] ?? statusText(status))]),
    );
}

/** A response without a body (204, 304). */
export const NoContent: TSchema = Type.Null({ description: 'No body' });
