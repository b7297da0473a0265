import { setTimeout as sleep } from 'node:timers/promises';
import {
  call,
  createTally,
  exchange,
  kafkaSideState,
  uniqueName,
  waitFor,
  type Exchange,
  type Tally,
} from '@platform/test-kit';
import type { ChaosPlatform } from './support/platform';
import { placeOrder } from './support/scenario';
import { openStatusStream, type StatusStream } from './support/sse';

/**
 * What each Redis-backed concern does while Redis is away (docs/reliability.md, "Redis outage: open or closed"),
 * one check per decision, each recorded in a tally: the rows of the decisions table.
 */
export interface RedisDecisions {
  /** Before Redis stops: spends a credential budget, revokes a token, opens a stream on a confirmed order. */
  prepare(): Promise<void>;
  /** While Redis is down. */
  duringOutage(): Promise<void>;
  /** After Redis is back. */
  afterOutage(): Promise<void>;
  /** Ends the stream, whatever happened. */
  close(): void;
  tally: Tally;
}

function expectStatus(answer: Exchange, status: number, extra: (a: Exchange) => string[] = () => []): string[] {
  const problems =
    answer.status === status ? [] : [`answered ${answer.status}, expected ${status}: ${answer.body.slice(0, 200)}`];
  return [...problems, ...extra(answer)];
}

function retryAfter(answer: Exchange): string[] {
  return answer.headers['retry-after'] === undefined ? ['no Retry-After'] : [];
}

/**
 * What the gateway's order-status consumer says about itself, for a failure message: whether the update was never
 * consumed, or consumed and not delivered.
 */
function gatewayConsumerState(chaos: ChaosPlatform): Promise<string> {
  const endpoints = {
    url: chaos.balancers.gateway.url,
    metricsPort: chaos.ports.gateway.metrics,
    logFile: chaos.platform.logFiles.gateway,
  };
  return kafkaSideState('the gateway', endpoints, { only: /orders/ });
}

export function redisDecisions(chaos: ChaosPlatform): RedisDecisions {
  const tally = createTally();
  const gateway = chaos.balancers.gateway.url;
  const limitedIp = '10.77.0.1';
  const limitedEmail = `${uniqueName('limited')}@chaos.test`;
  const password = 'a-long-and-unusual-passphrase';
  const customer = chaos.customers[0]!;
  let revokedToken = '';
  let stream: StatusStream | undefined;
  let streamedOrder = '';

  const register = (email: string, ip: string) =>
    exchange(`${gateway}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'x-forwarded-for': ip },
      body: { email, password },
    });
  const asCustomer = (path: string, token = customer.token, method = 'GET', body?: unknown) =>
    exchange(`${gateway}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': customer.ip },
      body,
    });

  return {
    tally,
    close: () => stream?.close(),
    async prepare() {
      // The credential limit (5 per address and account) spent: the sixth is refused while Redis counts.
      for (let i = 0; i < 5; i++) await register(limitedEmail, limitedIp);
      const sixth = await register(limitedEmail, limitedIp);
      tally.record('rate limits: engaged before the outage (429)', expectStatus(sixth, 429));

      const email = `${uniqueName('revoked')}@chaos.test`;
      await call(`${chaos.platform.urls.user}/auth/register`, { body: { email, password } });
      const session = await call<{ accessToken: string; refreshToken: string }>(
        `${chaos.platform.urls.user}/auth/login`,
        { body: { email, password } },
      );
      revokedToken = session.body.accessToken;
      await call(`${chaos.platform.urls.user}/auth/logout`, {
        token: revokedToken,
        body: { refreshToken: session.body.refreshToken },
      });
      const refused = await asCustomer('/api/v1/orders', revokedToken);
      tally.record('deny-list: revoked token refused before the outage (401)', expectStatus(refused, 401));

      // The scenario before may have left a breaker open for a few seconds: place the order once it is accepted.
      const placed = await waitFor(
        async () => {
          const answer = await placeOrder(chaos, customer, chaos.products[0]!.id, 1);
          return answer.status === 201 ? answer : undefined;
        },
        { what: 'an order to be accepted', timeoutMs: 60_000, intervalMs: 1_000 },
      );
      streamedOrder = (JSON.parse(placed.body) as { id: string }).id;
      stream = openStatusStream(gateway, streamedOrder, customer.token, customer.ip);
      await waitFor(() => stream!.statuses().includes('CONFIRMED'), {
        what: 'the stream to show CONFIRMED',
        timeoutMs: 60_000,
      }).catch((err: Error) => {
        throw new Error(`${err.message} (stream answered ${stream!.status()}, sent ${stream!.statuses().join(', ')})`);
      });
    },

    async duringOutage() {
      // The connections notice at once (the server closed them); give the clients a moment to mark them down.
      await sleep(1_000);
      const again = await register(limitedEmail, limitedIp);
      tally.record(
        'rate limits: fail open (the 7th credential call passes)',
        again.status === 429 ? ['still 429: the limit did not fail open'] : [],
      );

      const orders = await asCustomer('/api/v1/orders');
      tally.record('deny-list: fails closed at the gateway (503 + Retry-After)', expectStatus(orders, 503, retryAfter));
      const revoked = await asCustomer('/api/v1/orders', revokedToken);
      tally.record('deny-list: a revoked token is not let through (503)', expectStatus(revoked, 503, retryAfter));
      const direct = await exchange(`${chaos.platform.urls.order}/orders`, {
        headers: { authorization: `Bearer ${customer.token}` },
      });
      tally.record(
        'deny-list: fails closed in the services (503 + Retry-After)',
        expectStatus(direct, 503, retryAfter),
      );

      const product = chaos.products[1]!;
      const withToken = await asCustomer(`/api/v1/products/${product.id}`);
      tally.record(
        'deny-list: a token on a public route makes the caller anonymous (200)',
        expectStatus(withToken, 200),
      );
      const cached = await exchange(`${chaos.platform.urls.product}/products/${product.id}`);
      tally.record('product cache: fails open, read from the database (200)', expectStatus(cached, 200));
      const list = await exchange(`${gateway}/api/v1/products?limit=5`, {
        headers: { 'x-forwarded-for': '10.77.0.2' },
      });
      tally.record('product cache: lists fail open too (200)', expectStatus(list, 200));

      const newStream = await exchange(`${gateway}/api/v1/orders/${streamedOrder}/events`, {
        headers: { authorization: `Bearer ${customer.token}`, 'x-forwarded-for': customer.ip },
        timeoutMs: 5_000,
      }).catch((err: Error) => ({ status: 0, headers: {}, body: err.message }) as Exchange);
      tally.record(
        'SSE fan-out: a new stream fails closed (503 + Retry-After)',
        expectStatus(newStream, 503, retryAfter),
      );
      tally.record(
        'SSE fan-out: an open stream stays open',
        stream!.ended() ? ['the stream opened before the outage ended'] : [],
      );

      const login = await exchange(`${gateway}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'x-forwarded-for': '10.77.0.3' },
        body: { email: limitedEmail, password },
      });
      tally.record('login lockout: fails closed (503 + Retry-After)', expectStatus(login, 503, retryAfter));
    },

    async afterOutage() {
      const cancelled = await waitFor(
        async () => {
          const answer = await asCustomer(`/api/v1/orders/${streamedOrder}/cancel`, customer.token, 'POST', {});
          return answer.status === 200 ? answer : undefined;
        },
        { what: 'the cancel to be accepted after the outage', timeoutMs: 60_000, intervalMs: 500 },
      ).catch((err: Error) => err);
      const seen = await waitFor(() => stream!.statuses().includes('CANCELLED'), {
        what: 'CANCELLED on the stream opened before the outage',
        timeoutMs: 30_000,
      }).catch(() => false);
      tally.record(
        'SSE fan-out: the open stream gets the changes after the outage',
        cancelled instanceof Error
          ? [cancelled.message]
          : seen
            ? []
            : [`stream saw ${stream!.statuses().join(', ')}; ${await gatewayConsumerState(chaos)}`],
      );
      stream?.close();
    },
  };
}
