import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, KitErrors, type AppError } from './app-error';
import { problemContentType, problemType, type InvalidField, type Problem } from './problem';

type ValidationError = FastifyError & { validation: NonNullable<FastifyError['validation']> };

function isValidationError(err: FastifyError): err is ValidationError {
  return Array.isArray(err.validation);
}

/** Turns ajv's messages into a list a client can show next to each field. */
export function invalidFields(err: ValidationError): InvalidField[] {
  return err.validation.map((v) => {
    const params = v.params as Record<string, unknown>;
    const leaf = params.missingProperty ?? params.additionalProperty;
    const field = typeof leaf === 'string' ? `${v.instancePath}/${leaf}` : v.instancePath || '/';
    return { in: err.validationContext ?? 'body', field, message: v.message ?? 'is invalid' };
  });
}

/** Maps Fastify's own client errors (body too large, bad JSON, wrong content type) onto the kit's codes. */
function fromFastifyError(err: FastifyError): AppError | undefined {
  const status = err.statusCode ?? 500;
  if (status >= 500) return undefined;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return KitErrors.PayloadTooLarge(err.message);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return KitErrors.UnsupportedMediaType(err.message);
  if (status === 429) return KitErrors.TooManyRequests(err.message);
  if (status === 404) return KitErrors.NotFound(err.message);
  return KitErrors.ValidationFailed(err.message, { extensions: { errors: [] } });
}

function send(reply: FastifyReply, request: FastifyRequest, err: AppError, detail: string | undefined): FastifyReply {
  const problem: Problem = {
    type: problemType(err.code),
    title: err.title,
    status: err.status,
    ...(detail === undefined ? {} : { detail }),
    instance: request.url,
    code: err.code,
    requestId: request.id,
    ...err.extensions,
  };
  return reply.code(err.status).headers(err.headers).type(problemContentType).send(problem);
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler(function handleError(error: FastifyError, request, reply) {
    if (isValidationError(error)) {
      const errors = invalidFields(error);
      request.log.info({ errors }, 'request validation failed');
      const detail = errors.map((e) => `${e.in}${e.field}: ${e.message}`).join('; ');
      return send(reply, request, KitErrors.ValidationFailed(detail, { extensions: { errors } }), detail);
    }
    const known = isAppError(error) ? error : fromFastifyError(error);
    if (known && known.status < 500) {
      request.log.info({ code: known.code, status: known.status }, known.message);
      return send(reply, request, known, known.detail);
    }
    if (known) {
      // Designed 5xx answers (upstream down, dependency unavailable) carry a safe detail; the cause stays in the log.
      request.log.warn({ err: error, code: known.code }, known.message);
      return send(reply, request, known, known.detail);
    }
    // A programmer error: full context in the log, nothing about it in the answer.
    request.log.error({ err: error, req: request }, 'unhandled error');
    return send(reply, request, KitErrors.Internal(), undefined);
  });

  app.setNotFoundHandler(function handleNotFound(request, reply) {
    return send(reply, request, KitErrors.RouteNotFound(), `No route ${request.method} ${request.url.split('?')[0]}`);
  });
}

export const errorHandler = fp(errorHandlerPlugin, { name: 'kit-error-handler', fastify: '5.x' });
