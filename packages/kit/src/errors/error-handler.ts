import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, KitErrors, type AppError } from './app-error';
import { isTransientError } from './failure-kind';
import { problemContentType, problemType, type InvalidField, type Problem } from './problem';

type ValidationError = FastifyError & { validation: NonNullable<FastifyError['validation']> };

/**
 * Bounds on what a problem answer repeats of the request: a 100 KB body with thousands of invalid or unknown
 * properties (or a 16 KB URL) must not be answered with megabytes. A few errors are enough to fix a form; the
 * detail says how many more there were.
 */
export const problemLimits = { listedErrors: 5, fieldChars: 100, messageChars: 200, instanceChars: 200 } as const;

function isValidationError(err: FastifyError): err is ValidationError {
  return Array.isArray(err.validation);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Turns ajv's messages into a list a client can show next to each field: the first few, each of bounded size. */
export function invalidFields(err: ValidationError): InvalidField[] {
  return err.validation.slice(0, problemLimits.listedErrors).map((v) => {
    const params = v.params as Record<string, unknown>;
    const leaf = params.missingProperty ?? params.additionalProperty;
    const field = typeof leaf === 'string' ? `${v.instancePath}/${leaf}` : v.instancePath || '/';
    return {
      in: err.validationContext ?? 'body',
      field: clip(field, problemLimits.fieldChars),
      message: clip(v.message ?? 'is invalid', problemLimits.messageChars),
    };
  });
}

/**
 * A dependency that is down or slow (the database, Redis, a broker, an upstream: what `classifyFailure` calls
 * transient) is no bug: 503 with Retry-After tells the client to come back, and a caller's breaker and retry treat
 * it as they should. Without it such a failure would be answered 500 and logged as a programmer error.
 */
function fromTransientError(err: unknown): AppError | undefined {
  if (!isTransientError(err)) return undefined;
  return KitErrors.ServiceUnavailable('a dependency is unavailable right now, try again shortly', {
    headers: { 'retry-after': '2' },
    cause: err,
  });
}

/** Maps Fastify's own client errors (body too large, bad JSON, wrong content type) onto the kit's codes. */
function fromFastifyError(err: FastifyError): AppError | undefined {
  const status = err.statusCode ?? 500;
  if (status >= 500) return undefined;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return KitErrors.PayloadTooLarge(err.message);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return KitErrors.UnsupportedMediaType(err.message);
  if (status === 415) return KitErrors.UnsupportedMediaType(err.message);
  if (status === 429) return KitErrors.TooManyRequests(err.message);
  if (status === 404) return KitErrors.NotFound(err.message);
  return KitErrors.ValidationFailed(clip(err.message, problemLimits.messageChars), { extensions: { errors: [] } });
}

/** The problem document for an error; also used for answers written outside a route (framework errors). */
export function problemFor(err: AppError, requestId: string, url: string | undefined, detail?: string): Problem {
  return {
    type: problemType(err.code),
    title: err.title,
    status: err.status,
    ...(detail === undefined ? {} : { detail: clip(detail, 1_000) }),
    ...(url === undefined ? {} : { instance: clip(url, problemLimits.instanceChars) }),
    code: err.code,
    requestId,
    ...err.extensions,
  };
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  err: AppError,
  detail: string | undefined = err.detail,
): FastifyReply {
  return reply
    .code(err.status)
    .headers(err.headers)
    .type(problemContentType)
    .send(problemFor(err, request.id, request.url, detail));
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler(function handleError(error: FastifyError, request, reply) {
    if (isValidationError(error)) {
      const errors = invalidFields(error);
      const notListed = error.validation.length - errors.length;
      request.log.info({ errors, notListed }, 'request validation failed');
      const detail =
        errors.map((e) => `${e.in}${e.field}: ${e.message}`).join('; ') +
        (notListed > 0 ? ` (and ${notListed} more)` : '');
      return sendProblem(reply, request, KitErrors.ValidationFailed(detail, { extensions: { errors } }));
    }
    const known = isAppError(error) ? error : (fromFastifyError(error) ?? fromTransientError(error));
    if (known && known.status < 500) {
      request.log.info({ code: known.code, status: known.status }, known.message);
      return sendProblem(reply, request, known);
    }
    if (known) {
      // Designed 5xx answers (upstream down, dependency unavailable) carry a safe detail; the cause stays in the log.
      request.log.warn({ err: error, code: known.code }, known.message);
      return sendProblem(reply, request, known);
    }
    // A programmer error: full context in the log, nothing about it in the answer.
    request.log.error({ err: error, req: request }, 'unhandled error');
    return sendProblem(reply, request, KitErrors.Internal(), undefined);
  });
}

export const errorHandler = fp(errorHandlerPlugin, { name: 'kit-error-handler', fastify: '5.x' });
