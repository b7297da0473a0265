import { Type, type TSchema } from '@sinclair/typebox';

const InvalidField = Type.Object(
  {
    in: Type.String({ description: 'body, querystring, params or headers' }),
    field: Type.String({ description: 'JSON-pointer-like path of the offending field' }),
    message: Type.String(),
  },
  { additionalProperties: false },
);

/** RFC 9457 problem details as the kit's error handler writes them (`errors` only on validation failures). */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable error code, e.g. PRODUCT_NOT_FOUND' }),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(InvalidField)),
  },
  { additionalProperties: false, description: 'application/problem+json' },
);

/** `{ 404: Problem, 409: Problem }` for the statuses a route can answer with a problem. */
export function problems<const S extends number>(...statuses: S[]): Record<S, typeof Problem> {
  return Object.fromEntries(statuses.map((status) => [status, Problem])) as Record<S, typeof Problem>;
}

/** A response without a body (204, 304). */
export const NoContent: TSchema = Type.Null({ description: 'No body' });
