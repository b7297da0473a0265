import { Type, type TSchema } from '@sinclair/typebox';

const InvalidField = Type.Object(
  { in: Type.String(), field: Type.String(), message: Type.String() },
  { additionalProperties: false },
);

/**
 * RFC 9457 problem details as the kit's error handler writes them. Every extension member this service's errors
 * can carry is listed: the response serializer drops what a schema does not name.
 */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine-readable error code, e.g. EMAIL_TAKEN' }),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(InvalidField, { description: 'The invalid fields (VALIDATION_FAILED)' })),
    reason: Type.Optional(Type.String({ description: 'The rule a weak password breaks (WEAK_PASSWORD)' })),
  },
  { additionalProperties: false },
);

/** The problem responses of a route, e.g. `...problems(400, 401, 404)`. */
export function problems<const S extends number>(...statuses: S[]): Record<S, typeof Problem> {
  return Object.fromEntries(statuses.map((status) => [status, Problem])) as Record<S, typeof Problem>;
}

/** A response without a body (204). */
export const NoContent: TSchema = Type.Null({ description: 'No body' });
