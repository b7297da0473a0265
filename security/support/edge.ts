import { rawRequest, type RawAnswer } from '@platform/test-kit';

/** One answer of the gateway, however it was asked: status, lower-cased headers, body text. */
export interface EdgeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface EdgeRequest {
  method?: string;
  /** Path and query as sent, e.g. `/api/v1/orders?limit=1`. */
  target: string;
  headers?: Record<string, string>;
  token?: string;
  /** Sent as is when a string; JSON-encoded (with content-type application/json unless given) otherwise. */
  body?: unknown;
  /** The client address the gateway believes (X-Forwarded-For from its trusted proxy, 127.0.0.1). */
  clientIp: string;
}

/** Answers larger than this are a failure of their own: no route of this API needs more for what the suite asks. */
export const maxAnswerBytes = 256 * 1024;
/** Problem documents stay small however large the request was (the kit caps the listed validation errors). */
export const maxProblemBytes = 8 * 1024;

let addressSeed = Math.floor(Math.random() * 200);
let addressCount = 0;

/**
 * A client address of its own (10.x.y.z, believed from X-Forwarded-For): each case draws on budgets no other case
 * or earlier run shares, and counters of the shared Redis are not disturbed for other engineers' tests.
 */
export function newClientIp(): string {
  addressCount++;
  if (addressCount % 65_000 === 0) addressSeed = (addressSeed + 1) % 250;
  return `10.${addressSeed}.${Math.floor(addressCount / 250) % 250}.${(addressCount % 250) + 1}`;
}

function encodeBody(request: EdgeRequest): { text?: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (request.body === undefined) return { headers };
  if (typeof request.body === 'string') return { text: request.body, headers };
  headers['content-type'] = 'application/json';
  return { text: JSON.stringify(request.body), headers };
}

function requestHeaders(request: EdgeRequest, bodyHeaders: Record<string, string>): Record<string, string> {
  return {
    'x-forwarded-for': request.clientIp,
    ...bodyHeaders,
    ...(request.token === undefined ? {} : { authorization: `Bearer ${request.token}` }),
    ...request.headers,
  };
}

/**
 * Sends through fetch (undici), which normalises the target as a browser would; use `sendRaw` for spellings it
 * would change. An event stream is cut after its headers: the suite judges status and headers, never waits on it.
 */
export async function send(gateway: string, request: EdgeRequest): Promise<EdgeAnswer> {
  const { text, headers } = encodeBody(request);
  const response = await fetch(`${gateway}${request.target}`, {
    method: request.method ?? (text === undefined ? 'GET' : 'POST'),
    headers: requestHeaders(request, headers),
    body: text,
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  });
  const answerHeaders = Object.fromEntries(response.headers.entries());
  if (answerHeaders['content-type']?.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, headers: answerHeaders, body: '' };
  }
  return { status: response.status, headers: answerHeaders, body: await response.text() };
}

/** Writes the request line and headers as given: odd escapes, dot segments, absolute-form, unknown methods. */
export async function sendRaw(gateway: string, request: EdgeRequest): Promise<EdgeAnswer> {
  const { text, headers } = encodeBody(request);
  const port = Number(new URL(gateway).port);
  const answer: RawAnswer = await rawRequest(
    port,
    `${request.method ?? (text === undefined ? 'GET' : 'POST')} ${request.target} HTTP/1.1`,
    requestHeaders(request, headers),
    text ?? '',
    5_000,
  );
  return answer.headers['transfer-encoding'] === 'chunked' ? { ...answer, body: dechunk(answer.body) } : answer;
}

/** The body of a chunked answer without its chunk framing (sizes in hex, each line ending in CRLF). */
function dechunk(body: string): string {
  let rest = body;
  let out = '';
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (lineEnd < 0 || !(size > 0)) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

const STACK_TRACE = /\n\s+at .+:\d+:\d+|"stack"\s*:|node_modules\/|\/(src|dist)\/[\w/.-]+\.[jt]s\b/;

/**
 * What every answer of the edge must hold, whatever was asked: no 5xx; the security headers; no
 * x-powered-by; a bounded size; an error is problem+json (status and stable code) without a stack trace.
 * Returns what it broke, empty when nothing.
 */
export function edgeViolations(answer: EdgeAnswer, options: { allow5xx?: boolean } = {}): string[] {
  const broken: string[] = [];
  const h = answer.headers;
  if (answer.status >= 500 && !options.allow5xx) broken.push(`status ${answer.status}`);
  if (!h['content-security-policy']?.includes("default-src 'none'")) broken.push('no strict CSP');
  if (!/max-age=\d+/.test(h['strict-transport-security'] ?? '')) broken.push('no HSTS');
  if (h['x-content-type-options'] !== 'nosniff') broken.push('no nosniff');
  if (h['x-frame-options'] !== 'DENY') broken.push('no X-Frame-Options: DENY');
  if (h['referrer-policy'] !== 'no-referrer') broken.push('no Referrer-Policy: no-referrer');
  if (h['x-powered-by'] !== undefined) broken.push('x-powered-by present');
  if (Buffer.byteLength(answer.body) > maxAnswerBytes) broken.push(`answer of ${answer.body.length} bytes`);
  if (STACK_TRACE.test(answer.body)) broken.push('stack trace or source path in the body');
  if (answer.status >= 400) {
    if (!h['content-type']?.startsWith('application/problem+json')) {
      broken.push(`${answer.status} as ${h['content-type'] ?? 'no content type'}`);
    } else {
      if (Buffer.byteLength(answer.body) > maxProblemBytes) broken.push(`problem of ${answer.body.length} bytes`);
      try {
        const problem = JSON.parse(answer.body) as { status?: unknown; code?: unknown };
        if (problem.status !== answer.status) broken.push(`problem status ${String(problem.status)}`);
        if (typeof problem.code !== 'string') broken.push('problem without code');
      } catch {
        broken.push('problem+json that is not JSON');
      }
    }
  }
  return broken;
}

/** The stable `code` of a problem answer, if it is one. */
export function problemCode(answer: EdgeAnswer): string | undefined {
  try {
    const code = (JSON.parse(answer.body) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
