import fs from 'node:fs';
import path from 'node:path';
import { MatchersV3, PactV4, Verifier, type VerifierOptions } from '@pact-foundation/pact';
import { eventCatalogue, type EventType } from '@platform/events';
import { envelopeSchema, type EventEnvelope } from '@platform/kit';
import type Joi from 'joi';
import { repoRoot } from '@platform/local-infra';

/** Where consumer tests write their pacts and provider verification reads them (committed, reviewed like code). */
export const pactDir = path.join(repoRoot, 'contracts', 'pacts');

/** Pact's names for the platform's deployables. */
export const participants = {
  gateway: 'gateway',
  user: 'user-service',
  product: 'product-service',
  order: 'order-service',
  inventory: 'inventory-service',
} as const;
export type Participant = (typeof participants)[keyof typeof participants];

// Pact's npm packages report installs to Scarf unless told not to; the tests never phone home.
process.env.SCARF_ANALYTICS = 'false';

/** A V4 pact between two deployables, written to contracts/pacts/<consumer>-<provider>.json. */
export function consumerPact(consumer: Participant, provider: Participant, port?: number): PactV4 {
  return new PactV4({ consumer, provider, dir: pactDir, logLevel: 'warn', ...(port ? { port } : {}) });
}

const { like, regex, datetime, uuid, eachLike, integer } = MatchersV3;

/** An ISO 8601 instant as the kit writes it (Date#toISOString). */
export const isoInstant = (example: string) => datetime("yyyy-MM-dd'T'HH:mm:ss.SSSX", example);
export const objectIdLike = (example: string) => regex('^[0-9a-f]{24}$', example);

/** Example payloads of every event type, valid against packages/events; consumer tests override what they assert on. */
const eventExamples: { [T in EventType]: Record<string, unknown> } = {
  'user.registered': { userId: '6650f0c2a1b2c3d4e5f60721', email: 'customer@example.com', role: 'customer' },
  'product.created': {
    productId: '6650f0c2a1b2c3d4e5f60718',
    sku: 'MUG-BLUE-01',
    name: 'Blue mug',
    category: 'kitchen',
    priceMinor: 1250,
    currency: 'EUR',
  },
  'product.updated': {
    productId: '6650f0c2a1b2c3d4e5f60718',
    sku: 'MUG-BLUE-01',
    name: 'Blue mug',
    category: 'kitchen',
    priceMinor: 1500,
    currency: 'EUR',
  },
  'product.deleted': { productId: '6650f0c2a1b2c3d4e5f60718', sku: 'MUG-BLUE-01' },
  'order.created': {
    orderId: '6650f0c2a1b2c3d4e5f60720',
    userId: '6650f0c2a1b2c3d4e5f60721',
    lines: [{ productId: '6650f0c2a1b2c3d4e5f60718', sku: 'MUG-BLUE-01', quantity: 2, unitPriceMinor: 1250 }],
    totalMinor: 2500,
    currency: 'EUR',
  },
  'order.confirmed': { orderId: '6650f0c2a1b2c3d4e5f60720', userId: '6650f0c2a1b2c3d4e5f60721' },
  'order.rejected': {
    orderId: '6650f0c2a1b2c3d4e5f60720',
    userId: '6650f0c2a1b2c3d4e5f60721',
    reason: 'INSUFFICIENT_STOCK',
  },
  'order.cancelled': {
    orderId: '6650f0c2a1b2c3d4e5f60720',
    userId: '6650f0c2a1b2c3d4e5f60721',
    previousStatus: 'PENDING',
    cancelledBy: '6650f0c2a1b2c3d4e5f60721',
  },
  'inventory.reserved': { orderId: '6650f0c2a1b2c3d4e5f60720', lines: [{ sku: 'MUG-BLUE-01', quantity: 2 }] },
  'inventory.rejected': {
    orderId: '6650f0c2a1b2c3d4e5f60720',
    lines: [{ sku: 'MUG-BLUE-01', requested: 2, available: 0, reason: 'INSUFFICIENT_STOCK' }],
  },
};

export function eventExample(type: EventType, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...eventExamples[type], ...overrides };
}

/**
 * Matchers from an example: ids and skus by their patterns, other strings and numbers by type, arrays as "each
 * like the first": the consumer asks for the shape it reads, not for these exact values.
 */
function shapeOf(example: unknown): unknown {
  if (Array.isArray(example)) return eachLike(shapeOf(example[0]));
  if (example && typeof example === 'object') {
    return Object.fromEntries(Object.entries(example).map(([k, v]) => [k, shapeOf(v)]));
  }
  if (typeof example === 'string' && /^[0-9a-f]{24}$/.test(example)) return objectIdLike(example);
  if (typeof example === 'string' && /^[A-Z0-9][A-Z0-9-]{1,39}$/.test(example)) {
    return regex('^[A-Z0-9][A-Z0-9-]{1,39}$', example);
  }
  if (typeof example === 'number' && Number.isInteger(example)) return integer(example);
  return like(example);
}

function currentSchema(type: EventType): Joi.Schema {
  const entry = eventCatalogue[type];
  return (entry.schemas as Record<number, Joi.Schema>)[entry.version]!;
}

/**
 * The Kafka message of one event as consumers expect it: the kit's envelope (any uuid, any instant, this type and
 * the current version) around the shape of `example`. The example must satisfy packages/events' schema: checked
 * here, so a consumer cannot record an expectation the producer is not allowed to meet.
 */
export function eventMessage(type: EventType, example: Record<string, unknown>) {
  const { error } = currentSchema(type).validate(example);
  if (error) throw new Error(`the example ${type} payload breaks its schema in packages/events: ${error.message}`);
  return {
    id: uuid('1b4e28ba-2fa1-41d2-883f-0016d3cca427'),
    type,
    version: eventCatalogue[type].version,
    occurredAt: isoInstant('2026-11-29T10:00:00.000Z'),
    payload: shapeOf(example),
  };
}

/** The metadata every event message carries: its topic (unprefixed) and the aggregate id as key. */
export function eventMetadata(type: EventType): Record<string, string> {
  return { topic: eventCatalogue[type].topic, contentType: 'application/json' };
}

/** Checks a produced event's payload against packages/events (the provider side's half of the schema check). */
export function assertEventSchema(envelope: { type: string; version: number; payload: unknown }): void {
  const entry = eventCatalogue[envelope.type as EventType];
  if (!entry) throw new Error(`unknown event type ${envelope.type}`);
  const schema = (entry.schemas as Record<number, { validate(v: unknown): { error?: Error } } | undefined>)[
    envelope.version
  ];
  if (!schema) throw new Error(`unknown version ${envelope.version} of ${envelope.type}`);
  const { error } = schema.validate(envelope.payload);
  if (error) throw new Error(`${envelope.type} v${envelope.version} breaks its schema: ${error.message}`);
}

/**
 * What a consumer's Kafka adapter would hand its handler for this message content: the envelope and payload
 * validated exactly as the kit's consumer validates them (envelope schema around the catalogue's payload schema of
 * this type and version). Throws when the consumer would dead-letter the message.
 */
export function receivedEvent<T = Record<string, unknown>>(content: unknown): EventEnvelope<T> {
  const { type, version } = (content ?? {}) as { type?: string; version?: number };
  const entry = eventCatalogue[type as EventType];
  const payload = entry && (entry.schemas as Record<number, Joi.Schema | undefined>)[version ?? 0];
  if (!payload) throw new Error(`the consumer knows no ${type} v${version}`);
  const { error, value } = envelopeSchema(payload).validate(content, { abortEarly: false });
  if (error) throw new Error(`the consumer would dead-letter this ${type}: ${error.message}`);
  return value as EventEnvelope<T>;
}

/** The pact files in which `provider` is the provider. */
export function pactsFor(provider: Participant, dir = pactDir): string[] {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(`-${provider}.json`))
    .map((file) => path.join(dir, file));
}

export type ProviderVerification = Omit<VerifierOptions, 'provider' | 'pactUrls'> & {
  provider: Participant;
  /** Defaults to every pact in contracts/pacts naming this provider. */
  pactUrls?: string[];
};

/**
 * Verifies a provider against its consumers' pacts: the files in contracts/pacts, or, in the contracts workflow
 * (PACT_BROKER_BASE_URL set and PACT_PUBLISH_VERIFICATION=true), the pacts the broker holds for this provider (this
 * branch's, the main branch's and those of deployed versions), with the results published back under the commit.
 * Explicit `pactUrls` (a test's own pact) are never published.
 */
export function verifyProvider(options: ProviderVerification): Promise<string> {
  const { PACT_BROKER_BASE_URL: broker, PACT_PUBLISH_VERIFICATION, PACT_BROKER_TOKEN } = process.env;
  const viaBroker = Boolean(broker) && PACT_PUBLISH_VERIFICATION === 'true' && !options.pactUrls;
  if (viaBroker) {
    const branch = process.env.PACT_BRANCH ?? process.env.GITHUB_REF_NAME;
    return new Verifier({
      logLevel: 'warn',
      ...options,
      pactBrokerUrl: broker,
      ...(PACT_BROKER_TOKEN ? { pactBrokerToken: PACT_BROKER_TOKEN } : {}),
      consumerVersionSelectors: [{ mainBranch: true }, { deployedOrReleased: true }, ...(branch ? [{ branch }] : [])],
      enablePending: true,
      publishVerificationResult: true,
      providerVersion: process.env.PACT_VERSION ?? process.env.GITHUB_SHA,
      providerVersionBranch: branch,
    }).verifyProvider();
  }
  const pactUrls = options.pactUrls ?? pactsFor(options.provider);
  if (pactUrls.length === 0) throw new Error(`no pacts in ${pactDir} name ${options.provider} as provider`);
  return new Verifier({ logLevel: 'warn', ...options, pactUrls }).verifyProvider();
}

export { like, regex, datetime, uuid, MatchersV3 };

/** What provider verification needs of a Fastify app: to listen on a free loopback port. */
export interface Listenable {
  listen(options: { port: number; host: string }): Promise<string>;
}

/**
 * The provider's side of authentication during verification: a pact records an example token, which the provider
 * cannot accept. State handlers choose who the caller is (`actAs`), and the request filter replaces the token of
 * every request that carries one; requests without a token stay anonymous.
 */
export function createCallerSwap() {
  let token: string | undefined;
  return {
    actAs(next: string | undefined): void {
      token = next;
    },
    requestFilter(
      req: { headers: Record<string, string | string[] | undefined> },
      _res: unknown,
      next: () => void,
    ): void {
      if (token && req.headers.authorization) req.headers.authorization = `Bearer ${token}`;
      // A bodiless POST (cancel) would otherwise be relayed by Pact's proxy as a chunked body without a content type,
      // which Fastify refuses with 415; clients and the gateway send no body at all.
      if (req.headers['content-type'] === undefined && req.headers['content-length'] === undefined) {
        req.headers['content-length'] = '0';
      }
      next();
    },
  };
}

/** Starts the provider (buildApp, already ready) on a free port and returns its base URL. */
export function listenForVerification(app: Listenable): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

/**
 * A message provider's answer: the envelope the app really published and, as metadata, the topic it went to (without
 * the test's prefix), so a consumer expecting another topic fails verification.
 */
export function publishedMessage(
  envelope: { type: string; version: number; payload: unknown },
  topic: string,
  prefix: string,
) {
  assertEventSchema(envelope);
  return {
    __pactMessageMetadata: {
      topic: topic.startsWith(prefix) ? topic.slice(prefix.length) : topic,
      contentType: 'application/json',
    },
    message: envelope,
  };
}

/** How the kit's error handler labels its answers. */
export const problemContentType = 'application/problem+json; charset=utf-8';

/** A problem+json answer (the kit's error handler): the content type the services really send, with the body's shape. */
export function problemBody(code: string, status: number) {
  return { type: like('about:blank'), title: like('Not Found'), status, code };
}
