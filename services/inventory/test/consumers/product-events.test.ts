import {
  EventTypes,
  Topics,
  type ProductCreatedV1,
  type ProductDeletedV1,
  type ProductUpdatedV1,
} from '@platform/events';
import { createEvent } from '@platform/kit';
import { objectIdHex, waitFor } from '@platform/test-kit';
import { metricValue, newSku, storedStock } from '../helpers/factories';
import { startInventory, type InventoryHarness } from '../helpers/service';

describe('product events', () => {
  let service: InventoryHarness;

  beforeAll(async () => {
    service = await startInventory();
  });
  afterAll(() => service?.close());

  function productCreated(sku: string, productId = objectIdHex()) {
    return createEvent<ProductCreatedV1>(EventTypes.ProductCreated, {
      productId,
      sku,
      name: 'Red T-shirt',
      category: 'apparel',
      priceMinor: 1_999,
      currency: 'EUR',
    });
  }

  it('when product.created arrives, then a stock record with nothing available exists for its sku', async () => {
    const event = productCreated(newSku());
    await service.publish(event, event.payload.productId);

    const stock = await waitFor(() => storedStock(service.app, event.payload.sku).then((doc) => doc ?? undefined), {
      what: 'the stock record',
    });
    expect(stock).toMatchObject({ productId: event.payload.productId, available: 0, reserved: 0, holds: [] });
  });

  it('when product.created arrives again after a restock, then the record keeps its stock', async () => {
    const event = productCreated(newSku());
    await service.publish(event, event.payload.productId);
    await waitFor(() => storedStock(service.app, event.payload.sku).then((doc) => doc ?? undefined));
    await service.app.repositories.stock.restock(event.payload.sku, 4);

    // A new envelope with the same facts: the processed-events store does not know it, the upsert must hold.
    const again = productCreated(event.payload.sku, event.payload.productId);
    await service.publish(again, again.payload.productId);
    const marker = productCreated(newSku());
    await service.publish(marker, again.payload.productId); // same key: consumed after it
    await waitFor(() => storedStock(service.app, marker.payload.sku).then((doc) => doc ?? undefined));

    expect(await service.app.mongo.collection('stock').countDocuments({ sku: event.payload.sku })).toBe(1);
    expect(await storedStock(service.app, event.payload.sku)).toMatchObject({ available: 4 });
  });

  it('when product.deleted arrives, then the sku is discontinued and no longer restocked', async () => {
    const created = productCreated(newSku());
    await service.publish(created, created.payload.productId);
    const { sku, productId } = created.payload;
    const deleted = createEvent<ProductDeletedV1>(EventTypes.ProductDeleted, { productId, sku });
    await service.publish(deleted, productId);

    await waitFor(() => storedStock(service.app, sku).then((doc) => doc?.discontinued === true), {
      what: 'the sku to be discontinued',
    });
    expect(await service.app.repositories.stock.restock(sku, 1)).toBeNull();
  });

  function productDeleted(productId: string, sku: string) {
    return createEvent<ProductDeletedV1>(EventTypes.ProductDeleted, { productId, sku });
  }

  /** A product.created of another sku on the same key: consumed after everything published before it. */
  async function afterEverythingOn(productId: string): Promise<void> {
    const marker = productCreated(newSku(), productId);
    await service.publish(marker, productId);
    await waitFor(() => storedStock(service.app, marker.payload.sku).then((doc) => doc ?? undefined), {
      what: 'the marker product',
    });
  }

  it('when product.deleted arrives before its product.created, then the late create does not bring the product back', async () => {
    const sku = newSku();
    const productId = objectIdHex();
    await service.publish(productDeleted(productId, sku), productId);
    await service.publish(productCreated(sku, productId), productId);
    await afterEverythingOn(productId);

    expect(await storedStock(service.app, sku)).toMatchObject({
      productId,
      discontinued: true,
      available: 0,
      deletedProductIds: [productId],
    });
    expect(await service.app.repositories.stock.restock(sku, 1)).toBeNull();
    expect(await service.app.mongo.collection('stock').countDocuments({ sku })).toBe(1);
  });

  it('when a product deleted early shares its sku with a product created later, then the later product takes the record over', async () => {
    const sku = newSku();
    const deletedFirst = objectIdHex();
    await service.publish(productDeleted(deletedFirst, sku), deletedFirst);
    await afterEverythingOn(deletedFirst);
    const successor = productCreated(sku);
    await service.publish(successor, successor.payload.productId);
    await waitFor(() => storedStock(service.app, sku).then((doc) => doc?.discontinued === false), {
      what: 'the successor to take the sku over',
    });

    // The deleted product's own product.created, however late, changes nothing.
    await service.publish(productCreated(sku, deletedFirst), deletedFirst);
    await afterEverythingOn(deletedFirst);
    expect(await storedStock(service.app, sku)).toMatchObject({
      productId: successor.payload.productId,
      discontinued: false,
    });
  });

  it('when a product is created, updated and deleted, then inventory handles them in that order and skips product.updated, which it does not consume', async () => {
    const created = productCreated(newSku());
    const { productId, sku } = created.payload;
    const updated = createEvent<ProductUpdatedV1>(EventTypes.ProductUpdated, { ...created.payload, priceMinor: 999 });
    const topic = `${service.config.KAFKA_TOPIC_PREFIX}${Topics.Products}`;
    const skippedBefore = await metricValue(service.app, 'kafka_messages_consumed_total', {
      topic,
      outcome: 'skipped',
    });
    for (const event of [created, updated, productDeleted(productId, sku)]) await service.publish(event, productId);

    await waitFor(() => storedStock(service.app, sku).then((doc) => doc?.discontinued === true), {
      what: 'the sku to be discontinued',
    });
    expect(await metricValue(service.app, 'kafka_messages_consumed_total', { topic, outcome: 'skipped' })).toBe(
      skippedBefore + 1,
    );
    expect(await metricValue(service.app, 'kafka_dlq_messages_total', { topic })).toBe(0);
  });

  it("when a product re-created under a sku is seen before the previous product's product.deleted, then it takes the record over once that delete arrives", async () => {
    const first = productCreated(newSku());
    const { sku } = first.payload;
    await service.publish(first, first.payload.productId);
    await waitFor(() => storedStock(service.app, sku).then((doc) => doc ?? undefined), { what: 'the first product' });

    // Different keys, different partitions: the successor's product.created can overtake the delete before it.
    const successor = productCreated(sku);
    await service.publish(successor, successor.payload.productId);
    await afterEverythingOn(successor.payload.productId);
    expect(await storedStock(service.app, sku)).toMatchObject({
      productId: first.payload.productId,
      discontinued: false,
    });

    await service.publish(productDeleted(first.payload.productId, sku), first.payload.productId);
    await waitFor(
      () => storedStock(service.app, sku).then((doc) => doc?.productId === successor.payload.productId && doc),
      { what: 'the successor to take the sku over' },
    );
    expect(await storedStock(service.app, sku)).toMatchObject({ discontinued: false });
    expect(await service.app.repositories.stock.restock(sku, 2)).toMatchObject({ available: 2 });
  });
});
