import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { EventTypes, type OrderCreatedV1 } from '@platform/events';
import { createEvent, type EventEnvelope } from '@platform/kit';
import { objectIdHex } from '@platform/test-kit';
import type { ReservationDocument } from '../../src/data-access/reservation-model';
import type { StockDocument } from '../../src/data-access/stock-model';

/** A sku of the test's own, valid by the events' rule. */
export function newSku(): string {
  return `SKU-${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** A stock record as product.created would create it, restocked to `available`. */
export async function seedStock(app: FastifyInstance, available: number, sku = newSku()): Promise<string> {
  const { stock } = app.repositories;
  await stock.createForProduct({ sku, productId: objectIdHex() });
  if (available > 0) await stock.restock(sku, available);
  return sku;
}

export function orderCreated(
  lines: Array<{ sku: string; quantity: number }>,
  orderId = objectIdHex(),
): EventEnvelope<OrderCreatedV1> {
  return createEvent<OrderCreatedV1>(EventTypes.OrderCreated, {
    orderId,
    userId: objectIdHex(),
    lines: lines.map(({ sku, quantity }) => ({ productId: objectIdHex(), sku, quantity, unitPriceMinor: 1_000 })),
    totalMinor: lines.reduce((sum, line) => sum + line.quantity * 1_000, 0),
    currency: 'EUR',
  });
}

/** The stored stock, holds included, straight from the collection. */
export async function storedStock(app: FastifyInstance, sku: string) {
  const doc = await app.mongo.collection<Partial<StockDocument>>('stock').findOne({ sku });
  // FerretDB does not store the empty array an upsert writes; to the service, no field and [] mean the same.
  return doc && { ...doc, holds: doc.holds ?? [] };
}

export async function storedReservation(app: FastifyInstance, orderId: string) {
  return app.mongo.collection<ReservationDocument>('reservations').findOne({ orderId });
}

/** The sum of a metric's series that carry these labels; 0 when none was touched yet. */
export async function metricValue(app: FastifyInstance, name: string, labels: Record<string, string>): Promise<number> {
  const metric = app.metrics.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([label, value]) => v.labels[label] === value))
    .reduce((sum, v) => sum + v.value, 0);
}
