import { context } from '@opentelemetry/api';
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
// The kit's apps always log with pino (app.ts), whose loggers answer isLevelEnabled.
import type { Logger } from 'pino';
import { serverSpanContext } from './tracing/server-span';

/**
 * One access line per request, written when it ends: method, URL, client, status and time together. Fastify's
 * default writes two (`incoming request` and `request completed`), which doubles the logging cost of every
 * request: under load, pino and its redaction alone were 6% of the gateway's CPU profile, the writes aside.
 * A request that never ends is still visible: its trace has the server span, and the timeout answers it.
 */
export class AccessLogController extends LogController {
  /**
   * The access line's logger: the app's, without redaction. The line holds only what Fastify's serializers keep of
   * the request and the answer (method, URL, host, client address, status), never a header or a body, so nothing the
   * redaction paths name; yet redaction walks every line it is given with its wildcard paths, and measured 16 of the
   * 20 µs a line cost. An errored request keeps the request's logger, redaction and all: an error may carry anything.
   */
  private lines: FastifyBaseLogger | undefined;

  constructor() {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    // The answer's events run outside the request's context: the line joins the trace through its server span.
    const served = serverSpanContext(request.raw);
    if (served) context.with(served, this.writeLine, this, error, request, reply);
    else this.writeLine(error, request, reply);
  }

  private writeLine(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) {
      reply.log.error({ ...line, err: error }, 'request errored');
      return;
    }
    // The request's logger decides the level (a route may log at warn only, as the health routes do).
    if (!(reply.log as Logger).isLevelEnabled('info')) return;
    this.lines ??= request.server.log.child({}, { redact: [] });
    this.lines.info({ requestId: request.id, ...line }, 'request completed');
  }
}
