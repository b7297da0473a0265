import type Joi from 'joi';
import { recordTopics, waitFor, type RecordedEvent } from '@platform/test-kit';
import { envelopeSchema } from '@platform/kit';
import { EventTypes, payloadSchemas, Topics, type EventType } from '@platform/events';
import { startTestApp, type TestApp } from '../helpers/app';
import { bearer, outboxRelayed, productBody, seedProduct } from '../helpers/products';

describe('product events (outbox -> Kafka)', () => {
  let t: TestApp;
  let recorder: Awaited<ReturnType<typeof recordTopics>>;
  const productsTopic = () => `${t.config.KAFKA_TOPIC_PREFIX}${Topics.Products}`;

  beforeAll(async () => {
    t = await startTestApp('product-events');
    recorder = await recordTopics([productsTopic()]);
  });

  afterAll(async () => {
    await recorder?.stop();
    await t?.close();
  });

  const eventsFor = (productId: string, name: EventType) =>
    recorder.events.filter((e) => e.topic === productsTopic() && e.key === productId && e.envelope.type === name);
  const published = (productId: string, name: EventType) =>
    waitFor(() => eventsFor(productId, name)[0], { what: `${name} for ${productId}` });

  function expectValid(event: RecordedEvent, name: EventType): void {
    const payloadSchema: Joi.Schema = payloadSchemas[name];
    expect(envelopeSchema(payloadSchema).validate(event.envelope).error).toBeUndefined();
    expect(event.envelope).toMatchObject({ type: name, version: 1 });
  }

  it('when a product is created, changed and deleted, then product.created, .updated and .deleted are published on the products topic, in that order', async () => {
    const product = await seedProduct(t.app, t.adminToken, { name: 'Kettle', category: 'kitchen', priceMinor: 3999 });
    const created = await published(product.id, EventTypes.ProductCreated);

    await t.app.inject({
      method: 'PATCH',
      url: `/products/${product.id}`,
      headers: bearer(t.adminToken),
      payload: { priceMinor: 3499 },
    });
    const updated = await published(product.id, EventTypes.ProductUpdated);
    await outboxRelayed(t.app);

    await t.app.inject({ method: 'DELETE', url: `/products/${product.id}`, headers: bearer(t.adminToken) });
    const deleted = await published(product.id, EventTypes.ProductDeleted);

    expectValid(created, EventTypes.ProductCreated);
    expect(created.envelope.payload).toEqual({
      productId: product.id,
      sku: product.sku,
      name: 'Kettle',
      category: 'kitchen',
      priceMinor: 3999,
      currency: 'EUR',
    });
    expectValid(updated, EventTypes.ProductUpdated);
    expect(updated.envelope.payload).toEqual({ ...created.envelope.payload, priceMinor: 3499 });
    expectValid(deleted, EventTypes.ProductDeleted);
    expect(deleted.envelope.payload).toEqual({ productId: product.id, sku: product.sku });
    // One topic, keyed by product id: one partition holds the product's events in the order they happened.
    const ofProduct = recorder.events.filter((e) => e.key === product.id);
    expect(ofProduct.map((e) => e.envelope.type)).toEqual(['product.created', 'product.updated', 'product.deleted']);
    expect(new Set(ofProduct.map((e) => e.partition)).size).toBe(1);
  });

  it('when a write is refused (duplicate sku) or changes nothing, then no event is stored or published for it', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    await published(product.id, EventTypes.ProductCreated);

    const duplicate = await t.app.inject({
      method: 'POST',
      url: '/products',
      headers: bearer(t.adminToken),
      payload: productBody({ sku: product.sku }),
    });
    await t.app.inject({
      method: 'PATCH',
      url: `/products/${product.id}`,
      headers: bearer(t.adminToken),
      payload: { priceMinor: product.priceMinor },
    });
    await outboxRelayed(t.app);

    expect(duplicate.statusCode).toBe(409);
    const stored = await t.app.mongo.collection('products').findOne({ sku: product.sku });
    expect(stored).toMatchObject({ version: 1, outbox: [] });
    expect(eventsFor(product.id, EventTypes.ProductUpdated)).toEqual([]);
    expect(eventsFor(product.id, EventTypes.ProductCreated)).toHaveLength(1);
  });
});
