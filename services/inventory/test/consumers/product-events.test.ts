import { Topics, type ProductCreatedV1, type ProductDeletedV1 } from '@platform/events';
import { createEvent } from '@platform/kit';
import { objectIdHex, waitFor } from '@platform/test-kit';
import { newSku, storedStock } from '../helpers/factories';
import { startInventory, type InventoryHarness } from '../helpers/service';

describe('product events', () => {
  let service: InventoryHarness;

  beforeAll(async () => {
    service = await startInventory();
  });
  afterAll(() => service?.close());

  function productCreated(sku: string, productId = objectIdHex()) {
    return createEvent<ProductCreatedV1>(Topics.ProductCreated, {
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
    await service.publish(Topics.ProductCreated, event, event.payload.productId);

    const stock = await waitFor(() => storedStock(service.app, event.payload.sku).then((doc) => doc ?? undefined), {
      what: 'the stock record',
    });
    expect(stock).toMatchObject({ productId: event.payload.productId, available: 0, reserved: 0, holds: [] });
  });

  it('when product.created arrives again after a restock, then the record keeps its stock', async () => {
    const event = productCreated(newSku());
    await service.publish(Topics.ProductCreated, event, event.payload.productId);
    await waitFor(() => storedStock(service.app, event.payload.sku).then((doc) => doc ?? undefined));
    await service.app.repositories.stock.restock(event.payload.sku, 4);

    // A new envelope with the same facts: the processed-events store does not know it, the upsert must hold.
    const again = productCreated(event.payload.sku, event.payload.productId);
    await service.publish(Topics.ProductCreated, again, again.payload.productId);
    const marker = productCreated(newSku());
    await service.publish(Topics.ProductCreated, marker, again.payload.productId); // same key: consumed after it
    await waitFor(() => storedStock(service.app, marker.payload.sku).then((doc) => doc ?? undefined));

    expect(await service.app.mongo.collection('stock').countDocuments({ sku: event.payload.sku })).toBe(1);
    expect(await storedStock(service.app, event.payload.sku)).toMatchObject({ available: 4 });
  });

  it('when product.deleted arrives, then the sku is discontinued and no longer restocked', async () => {
    const created = productCreated(newSku());
    await service.publish(Topics.ProductCreated, created, created.payload.productId);
    const { sku, productId } = created.payload;
    const deleted = createEvent<ProductDeletedV1>(Topics.ProductDeleted, { productId, sku });
    await service.publish(Topics.ProductDeleted, deleted, productId);

    await waitFor(() => storedStock(service.app, sku).then((doc) => doc?.discontinued === true), {
      what: 'the sku to be discontinued',
    });
    expect(await service.app.repositories.stock.restock(sku, 1)).toBeNull();
  });
});
