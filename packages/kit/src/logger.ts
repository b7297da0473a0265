import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { LoggerOptions } from 'pino';

/** Paths whose values never reach a log line, wherever they appear in a logged object. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.authorization',
  '*.cookie',
  'password',
  'token',
  'accessToken',
  'refreshToken',
];

/** Adds the active trace and span ids to every line, so logs and traces join up in Grafana/Jaeger. */
export function traceMixin(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const ctx = span.spanContext();
  if (!isSpanContextValid(ctx)) return {};
  return { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: `0${ctx.traceFlags.toString(16)}` };
}

export interface LoggerConfig {
  serviceName: string;
  level: string;
  /** Pretty output for humans; defaults to "stdout is a terminal". Production (not a TTY) stays JSON. */
  pretty?: boolean;
}

export function buildLoggerOptions(config: LoggerConfig): LoggerOptions {
  const pretty = config.pretty ?? process.stdout.isTTY === true;
  return {
    level: config.level,
    base: { service: config.serviceName },
    redact: { paths: redactPaths, censor: '[REDACTED]' },
    mixin: traceMixin,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  };
}

const requestIdPattern = /^[\w.:-]{1,128}$/;

/** Accepts a sane caller-supplied `x-request-id` (gateway, other services), otherwise generates one. */
export function genRequestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate && requestIdPattern.test(candidate) ? candidate : randomUUID();
}
