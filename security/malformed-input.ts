import fc from 'fast-check';
import { createTally, objectIdHex } from '@platform/test-kit';
import { edgeViolations, newClientIp, send, sendRaw, type EdgeAnswer } from './support/edge';
import { operationsOf, validValue, wrongType, type Operation, type Schema } from './support/openapi';
import type { SecurityContext } from './support/platform';

export const malformedCategories = [
  'wrong types',
  'missing fields',
  'extra fields',
  'huge strings',
  'deep nesting',
  '$-operators',
  'prototype pollution',
  'invalid JSON',
  'wrong content types',
  'odd URL encodings',
  'odd query strings',
] as const;
export type MalformedCategory = (typeof malformedCategories)[number];

/** A request as generated: the target's parts, the body as the bytes to send, who sends it. */
interface Case {
  method: string;
  pathValues: Record<string, string>;
  query: Array<[string, string]>;
  body?: string;
  contentType?: string;
  role: 'anonymous' | 'customer' | 'admin';
  /** For odd URL encodings: a function of the plain path giving the spelling sent, byte for byte. */
  spell?: (path: string) => string;
  headers: Record<string, string>;
}

const OPERATOR_VALUES = [
  { $ne: null },
  { $gt: '' },
  { $regex: '.*' },
  { $where: 'sleep(5000) || true' },
  { $in: [null, '', 'admin'] },
  { $exists: true },
  { $expr: { $eq: [1, 1] } },
];
const POLLUTION_KEYS = [
  '"__proto__":{"role":"admin","isAdmin":true,"status":"CONFIRMED"}',
  '"constructor":{"prototype":{"role":"admin","isAdmin":true}}',
  '"__proto__":{"__proto__":{"polluted":true}}',
  '"prototype":{"role":"admin"}',
];
const POLLUTION_QUERIES = [
  '__proto__[role]=admin',
  '__proto__.role=admin',
  'constructor[prototype][role]=admin',
  'constructor.prototype.role=admin',
  '__proto__=admin',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/x-json',
  'application/json, text/plain',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  '',
  '*/*',
  'text/html; charset=utf-8',
];

/** Spellings of a path that RFC 3986 makes equal, or that a router could read as another path. */
const SPELLINGS: Array<{ name: string; spell: (path: string) => string }> = [
  { name: 'escaped letters', spell: (p) => p.replace(/[a-z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`) },
  {
    name: 'escaped upper-case',
    spell: (p) => p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  },
  { name: 'double escape', spell: (p) => p.replace(/[a-z]/, (c) => `%25${c.charCodeAt(0).toString(16)}`) },
  { name: 'trailing slash', spell: (p) => `${p}/` },
  { name: 'upper case', spell: (p) => p.toUpperCase() },
  { name: 'mixed case', spell: (p) => p.replace(/\/([a-z])/g, (_m, c: string) => `/${c.toUpperCase()}`) },
  { name: 'fragment', spell: (p) => `${p}#frag` },
  { name: 'matrix parameter', spell: (p) => `${p};jsessionid=1` },
  { name: 'encoded slash', spell: (p) => p.replace(/\/([^/]*)$/, '%2F$1') },
  { name: 'encoded backslash', spell: (p) => p.replace(/\/([^/]*)$/, '%5C$1') },
  { name: 'backslash', spell: (p) => p.replace(/\/([^/]*)$/, '\\$1') },
  { name: 'dot segment', spell: (p) => p.replace(/\/([^/]*)$/, '/./$1') },
  { name: 'encoded dot-dot', spell: (p) => `${p}/%2e%2e` },
  { name: 'dot-dot escape', spell: (p) => p.replace(/^\/api\/v1\//, '/api/v1/x/../') },
  { name: 'empty segment', spell: (p) => p.replace(/^\/api\/v1\//, '/api/v1//') },
  { name: 'NUL', spell: (p) => `${p}%00` },
  { name: 'overlong UTF-8 slash', spell: (p) => p.replace(/\/([^/]*)$/, '%C0%AF$1') },
  { name: 'invalid UTF-8', spell: (p) => `${p}%FF%FE` },
  { name: 'malformed escape', spell: (p) => `${p}%G1` },
  { name: 'right-to-left override', spell: (p) => `${p}%E2%80%AE` },
  { name: 'absolute-form', spell: (p) => `http://127.0.0.1${p}` },
  { name: 'query with raw odd bytes', spell: (p) => `${p}?a=%zz&b=%00&%F0%9F%92%A9=1` },
  { name: 'asterisk', spell: () => '*' },
];

function encodeSegment(value: unknown): string {
  return encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value));
}

function pathArb(op: Operation, ctx: SecurityContext): fc.Arbitrary<Record<string, string>> {
  const params = op.parameters.filter((p) => p.in === 'path');
  return fc.record(
    Object.fromEntries(
      params.map((p) => [
        p.name,
        fc.oneof(
          fc.constant(p.name === 'sku' ? ctx.product.sku : objectIdHex()),
          validValue(p.schema).map(encodeSegment),
        ),
      ]),
    ),
  );
}

function queryArb(op: Operation): fc.Arbitrary<Array<[string, string]>> {
  const params = op.parameters.filter((p) => p.in === 'query');
  if (params.length === 0) return fc.constant([]);
  return fc
    .subarray(params)
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((p) =>
          validValue(p.schema).map((v) => [p.name, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]),
        ),
      ),
    );
}

function headerDefaults(op: Operation): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const p of op.parameters.filter((q) => q.in === 'header')) {
    if (p.name.toLowerCase() === 'idempotency-key') headers[p.name] = crypto.randomUUID();
  }
  return headers;
}

function propertiesOf(schema: Schema | undefined): string[] {
  return Object.keys(schema?.properties ?? {});
}

/** Puts `valueText` (JSON text) in place of one property of the body, or as the whole body when it has none. */
function withProperty(body: unknown, key: string | undefined, valueText: string): string {
  if (key === undefined || typeof body !== 'object' || body === null) return valueText;
  const rest = Object.fromEntries(Object.entries(body).filter(([k]) => k !== key));
  const restText = JSON.stringify(rest);
  return `{${JSON.stringify(key)}:${valueText}${restText === '{}' ? '' : `,${restText.slice(1, -1)}`}}`;
}

function nestedText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** The generator of one category for one operation: a valid-looking base, broken the category's way. */
function caseArb(op: Operation, category: MalformedCategory, ctx: SecurityContext): fc.Arbitrary<Case> {
  const keys = propertiesOf(op.body);
  const required = op.body?.required ?? [];
  const key = keys.length > 0 ? fc.constantFrom(...keys) : fc.constant(undefined);
  const base = fc.record({
    pathValues: pathArb(op, ctx),
    query: queryArb(op),
    value: op.body ? validValue(op.body) : fc.constant(undefined),
    role: fc.constantFrom('anonymous' as const, 'customer' as const, 'admin' as const, 'admin' as const),
  });
  const mutate = (f: (value: unknown) => fc.Arbitrary<Partial<Case>>) =>
    base.chain((bs) =>
      f(bs.value).map((extra): Case => ({
        method: op.method,
        pathValues: bs.pathValues,
        query: bs.query,
        role: bs.role,
        headers: headerDefaults(op),
        body: bs.value === undefined ? undefined : JSON.stringify(bs.value),
        ...extra,
      })),
    );
  /** The valid base as it is, with only the request's framing changed (content type, spelling of the path). */
  const plain = (framing: fc.Arbitrary<Partial<Case>>) => mutate(() => framing);

  switch (category) {
    case 'wrong types':
      return mutate((value) =>
        key.chain((k) =>
          wrongType(k === undefined ? op.body : op.body?.properties?.[k]).map((wrong) => ({
            body: withProperty(value, k, JSON.stringify(wrong)),
            query: op.parameters.filter((p) => p.in === 'query').map((p) => [p.name, JSON.stringify(wrong)]),
          })),
        ),
      );
    case 'missing fields':
      return mutate((value) =>
        (required.length > 0 || keys.length > 0
          ? fc.subarray(required.length > 0 ? required : keys, { minLength: 1 })
          : fc.constant([] as string[])
        ).map((drop) => ({
          body:
            typeof value === 'object' && value !== null
              ? JSON.stringify(Object.fromEntries(Object.entries(value).filter(([k]) => !drop.includes(k))))
              : undefined,
        })),
      );
    case 'extra fields':
      return mutate((value) =>
        fc
          .dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), {
            minKeys: 1,
            maxKeys: 6,
          })
          .map((extra) => ({
            body: JSON.stringify({ ...(typeof value === 'object' && value !== null ? value : {}), ...extra }),
            query: Object.entries(extra).map(([k, v]) => [k, JSON.stringify(v)] as [string, string]),
          })),
      );
    case 'huge strings':
      return mutate((value) =>
        fc
          .tuple(key, fc.constantFrom(9_000, 100_000, 900_000, 2_000_000), fc.constantFrom('body', 'query', 'path'))
          .map(([k, size, where]) => {
            const huge = 'A'.repeat(size);
            if (where === 'body') return { body: withProperty(value, k, JSON.stringify(huge)) };
            if (where === 'query') return { query: [['q', huge.slice(0, 12_000)]] };
            return { spell: (p: string) => `${p}/${huge.slice(0, 10_000)}` };
          }),
      );
    case 'deep nesting':
      return mutate((value) =>
        fc
          .tuple(key, fc.integer({ min: 50, max: 100_000 }), fc.constantFrom('array' as const, 'object' as const))
          .map(([k, depth, kind]) => ({
            body: withProperty(value, k, nestedText(depth, kind)),
            query: [[`x${'[a]'.repeat(Math.min(depth, 1_000))}`, '1']],
          })),
      );
    case '$-operators':
      return mutate((value) =>
        fc.tuple(key, fc.constantFrom(...OPERATOR_VALUES)).map(([k, operator]) => ({
          body: withProperty(value, k, JSON.stringify(operator)),
          query: op.parameters
            .filter((p) => p.in === 'query')
            .map((p) => [`${p.name}[${Object.keys(operator)[0]}]`, ''] as [string, string])
            .concat([['filter', JSON.stringify(operator)]]),
          pathValues: Object.fromEntries(
            op.parameters.filter((p) => p.in === 'path').map((p) => [p.name, encodeSegment(operator)]),
          ),
        })),
      );
    case 'prototype pollution':
      return mutate((value) =>
        fc
          .tuple(fc.constantFrom(...POLLUTION_KEYS), fc.constantFrom(...POLLUTION_QUERIES), key, fc.boolean())
          .map(([pollution, query, k, deep]) => {
            const text = JSON.stringify(typeof value === 'object' && value !== null ? value : {});
            const nested = k === undefined ? text : withProperty(value, k, `{${pollution}}`);
            return {
              body: text === '{}' ? `{${pollution}}` : k && deep ? nested : `{${pollution},${text.slice(1)}`,
              query: query.split('&').map((pair) => pair.split('=') as [string, string]),
            };
          }),
      );
    case 'invalid JSON':
      return mutate((value) => {
        const text = JSON.stringify(value ?? { a: 1 });
        return fc
          .oneof(
            fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut)),
            fc.constantFrom(
              `${text},`,
              `\uFEFF${text}`,
              text.replace(/"/g, "'"),
              '{"a":NaN}',
              '{"a":1e99999}',
              '{"a":"\\ud800"}',
              '{"a":1,}',
              '{a:1}',
              'undefined',
              '\u0000',
              '{"a":"\u0001"}',
              '[',
              '',
            ),
            fc.string({ minLength: 1, maxLength: 40 }).filter((s) => {
              try {
                JSON.parse(s);
                return false;
              } catch {
                return true;
              }
            }),
          )
          .map((body) => ({ body, contentType: 'application/json' }));
      });
    case 'wrong content types':
      return plain(fc.constantFrom(...CONTENT_TYPES).map((contentType) => ({ contentType })));
    case 'odd URL encodings':
      return plain(fc.constantFrom(...SPELLINGS).map(({ spell }) => ({ spell })));
    case 'odd query strings':
      return mutate(() =>
        fc
          .array(
            fc.tuple(
              fc.oneof(
                fc.constantFrom(...op.parameters.filter((p) => p.in === 'query').map((p) => p.name), 'limit', 'cursor'),
                fc.string({ maxLength: 10 }),
              ),
              fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('-1', '1e309', 'NaN', '0x10', '[]', 'null', '')),
            ),
            { minLength: 1, maxLength: 6 },
          )
          .map((query) => ({ query: [...query, ...query.slice(0, 1)] })),
      );
  }
}

function targetOf(op: Operation, c: Case): string {
  let path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => c.pathValues[name] ?? '');
  if (c.spell) path = c.spell(path);
  if (c.query.length === 0) return path;
  const query = c.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

async function deliver(ctx: SecurityContext, gateway: string, op: Operation, c: Case): Promise<EdgeAnswer> {
  const token = c.role === 'anonymous' ? undefined : await ctx.freshToken(c.role);
  const headers: Record<string, string> = { ...c.headers };
  if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
  if (c.contentType === '') delete headers['content-type'];
  const request = { method: c.method, target: targetOf(op, c), headers, token, body: c.body, clientIp: newClientIp() };
  // fetch would normalise odd spellings (dot segments, backslashes, case of escapes) before sending them, and
  // refuses to send a body with GET or HEAD.
  const raw = c.spell !== undefined || (c.body !== undefined && ['GET', 'HEAD'].includes(c.method));
  return raw ? sendRaw(gateway, request) : send(gateway, request);
}

export interface MalformedRunOptions {
  seed: number;
  runsPerRouteAndCategory: number;
}

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (Math.imul(h, 31) + char.charCodeAt(0)) | 0;
  return h;
}

/**
 * Generated malformed requests on every route of the gateway's OpenAPI document, for each category a bounded
 * number of runs with a seed derived from the suite's seed, route and category (reproducible, printed on failure).
 * Every answer must hold the edge invariants; the run does not stop at the first failure of a route.
 */
export async function runMalformedInput(ctx: SecurityContext, document: unknown, options: MalformedRunOptions) {
  const tally = createTally();
  const statuses = new Map<string, Map<number, number>>();
  const failures: string[] = [];
  const operations = operationsOf(document);
  let sent = 0;
  for (const op of operations) {
    for (const category of malformedCategories) {
      const seed = options.seed ^ hash(`${op.method} ${op.path} ${category}`);
      let last = '';
      try {
        await fc.assert(
          fc.asyncProperty(caseArb(op, category, ctx), async (c) => {
            let answer: EdgeAnswer;
            try {
              answer = await deliver(ctx, ctx.gateways[sent++ % 2]!, op, c);
            } catch (err) {
              answer = { status: 0, headers: {}, body: `no answer: ${(err as Error).message}` };
            }
            const violations = answer.status === 0 ? [answer.body] : edgeViolations(answer);
            tally.record(category, violations, { route: `${op.method} ${op.path}`, status: answer.status });
            const seen = statuses.get(category) ?? new Map<number, number>();
            statuses.set(category, seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1));
            last = `${answer.status} ${violations.join('; ')}: ${answer.body.slice(0, 300)}`;
            return violations.length === 0;
          }),
          { seed, numRuns: options.runsPerRouteAndCategory, endOnFailure: true },
        );
      } catch (err) {
        // fast-check's message names the seed and path that replay the case, and the case itself.
        const message = String((err as Error).message);
        failures.push(`${op.method} ${op.path} / ${category}: ${last}\n${message.slice(0, 600)}`);
      }
    }
  }
  return { tally, failures, operations, statusTable: statusTable(statuses) };
}

/** How the cases were answered, by category: which layer refused them (edge 401/413/414/415, services 400/404/422). */
function statusTable(statuses: Map<string, Map<number, number>>): string {
  const codes = [...new Set([...statuses.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const rows = [...statuses.entries()].map(([category, seen]) => [category, ...codes.map((c) => seen.get(c) ?? 0)]);
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [
    '#### Malformed input: answers by status',
    '',
    line(['category', ...codes]),
    line(['---', ...codes.map(() => '---:')]),
    ...rows.map(line),
    '',
  ].join('\n');
}
