import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import { KitErrors } from '@platform/kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canonicalTarget, isTargetProblem, type RequestTarget, type TargetProblem } from '../domain/request-target';
import { InvalidPath } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The canonical target: `path` (decoded once) for every rule, `url` (= request.url) to forward. */
    target: RequestTarget;
  }
}

const parsed = Symbol('gateway.requestTarget');
type ParsedRequest = IncomingMessage & { [parsed]?: RequestTarget | TargetProblem };

/**
 * Fastify's `rewriteUrl` (before routing): the router, the rules and the upstream all see the canonical
 * origin-form URL. A refused target is routed as `/` and answered by the hook below.
 */
export function rewriteToCanonical(req: IncomingMessage): string {
  const result = canonicalTarget(req.url ?? '/');
  (req as ParsedRequest)[parsed] = result;
  return isTargetProblem(result) ? '/' : result.url;
}

async function requestTargetPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest('target', null as unknown as RequestTarget);
  app.addHook('onRequest', async function checkRequestTarget(request: FastifyRequest) {
    const result = (request.raw as ParsedRequest)[parsed] ?? canonicalTarget(request.url);
    if (isTargetProblem(result)) {
      if (result.status === 414) throw KitErrors.UriTooLong(`the request target is ${result.reason}`);
      throw InvalidPath(`the request target holds ${result.reason}`);
    }
    request.target = result;
  });
}

/** Register first: every later hook and route reads `request.target`. */
export const requestTarget = fp(requestTargetPlugin, { name: 'gateway-request-target', fastify: '5.x' });
