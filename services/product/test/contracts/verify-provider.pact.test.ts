import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventTypes } from '@platform/events';
import { recordTopics, waitFor, type RecordedEvent } from '@platform/test-kit';
import {
  createCallerSwap,
  listenForVerification,
  pactDir,
  participants,
  publishedMessage,
  verifyProvider,
} from '@platform/test-kit/pact';
import { startTestApp, type TestApp } from '../helpers/app';
import { bearer, seedProduct } from '../helpers/products';

/**
 * The product service verified against its consumers' pacts (gateway, order service: HTTP; inventory service:
 * product events): the real app (buildApp) on a real database, Redis and Kafka; state handlers seed it through its
 * own API; message interactions are answered with the events the app really published for a real change.
 */
describe('product-service provider verification', () => {
  let t: TestApp;
  let url: string;
  let recorder: { events: RecordedEvent[]; stop(): Promise<void> };
  const caller = createCallerSwap();

  beforeAll(async () => {
    t = await startTestApp('product-pact');
    url = await listenForVerification(t.app);
    recorder = await recordTopics([`${t.config.KAFKA_TOPIC_PREFIX}products.v1`]);
  });
  afterAll(async () => {
    await recorder?.stop();
    await t?.close();
  });

  /** The product with the sku the pacts name, created once and reused (reads and price changes keep it). */
  async function mug(): Promise<string> {
    const found = await t.app.inject({ method: 'GET', url: '/products/sku/MUG-BLUE-01' });
    if (found.statusCode === 200) return found.json<{ id: string }>().id;
    return (await seedProduct(t.app, t.adminToken, { sku: 'MUG-BLUE-01' })).id;
  }

  /** The event the app published for this product, read back from Kafka and checked against packages/events. */
  async function published(type: string, productId: string) {
    const event = await waitFor(
      () => recorder.events.find((e) => e.envelope.type === type && e.envelope.payload.productId === productId),
      { what: `${type} of ${productId}`, timeoutMs: 30_000 },
    );
    return publishedMessage(event.envelope, event.topic, t.config.KAFKA_TOPIC_PREFIX);
  }

  /** The pact, broken on purpose: the gateway now expects a field the product service has never sent. */
  function brokenPact(): string {
    const pact = JSON.parse(fs.readFileSync(path.join(pactDir, 'gateway-product-service.json'), 'utf8')) as {
      interactions: Array<{ description: string; response?: { body?: { content?: Record<string, unknown> } } }>;
    };
    const read = pact.interactions.find((i) => i.description === 'a read of a product by sku');
    if (!read?.response?.body?.content) throw new Error('the gateway pact has no read of a product by sku');
    read.response.body.content.stockLevel = 12;
    pact.interactions = [read];
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'broken-pact-')), 'gateway-product-service.json');
    fs.writeFileSync(file, JSON.stringify(pact));
    return file;
  }

  it('when a consumer expects a field the provider does not send, then verification fails', async () => {
    const verification = verifyProvider({
      provider: participants.product,
      providerBaseUrl: url,
      pactUrls: [brokenPact()],
      stateHandlers: { 'a product with sku MUG-BLUE-01': async () => ({ productId: await mug() }) },
    });

    await expect(verification).rejects.toThrow(/stockLevel/);
  });

  it('honours every pact in which it is the provider', async () => {
    await verifyProvider({
      provider: participants.product,
      providerBaseUrl: url,
      requestFilter: caller.requestFilter,
      stateHandlers: {
        'a product with sku MUG-BLUE-01': async () => {
          caller.actAs(undefined);
          return { productId: await mug() };
        },
        'an admin with a session': async () => {
          caller.actAs(t.adminToken);
        },
        // PATCH and DELETE get a product of their own, so deleting it leaves the shared one for later reads.
        'an admin with a session and a product with sku MUG-BLUE-01': async () => {
          caller.actAs(t.adminToken);
          return { productId: (await seedProduct(t.app, t.adminToken)).id };
        },
      },
      messageProviders: {
        'an product.created event': async () => {
          const product = await seedProduct(t.app, t.adminToken);
          return published(EventTypes.ProductCreated, product.id);
        },
        'an product.deleted event': async () => {
          const product = await seedProduct(t.app, t.adminToken);
          const deleted = await t.app.inject({
            method: 'DELETE',
            url: `/products/${product.id}`,
            headers: bearer(t.adminToken),
          });
          if (deleted.statusCode !== 204) throw new Error(`delete answered ${deleted.statusCode}`);
          return published(EventTypes.ProductDeleted, product.id);
        },
      },
    });
  });
});
