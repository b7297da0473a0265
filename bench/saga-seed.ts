/**
 * Orders already stored, as a platform that has been taking orders for a month has them: written straight into the
 * order service's collections with the mongodb driver (through the API it would take minutes at the rates measured
 * here). Each order is in a final state with its outbox published (empty, no relay fields) and its history, as the
 * service leaves them: 95% CONFIRMED, 4% REJECTED, 1% CANCELLED, one to three lines.
 * Inventory's reservations and the consumers' processed-event marks for them are not written.
 */
import { ObjectId, type Db } from 'mongodb';
import type { BenchProduct } from './bench-platform';

type FinalStatus = 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

function finalStatus(i: number): FinalStatus {
  const slot = i % 100;
  return slot < 95 ? 'CONFIRMED' : slot < 99 ? 'REJECTED' : 'CANCELLED';
}

/** Inserts `count` final orders of `userIds`, created over the last 30 days, in batches of 1,000. */
export async function seedOrders(
  db: Db,
  userIds: readonly string[],
  products: readonly BenchProduct[],
  count: number,
): Promise<void> {
  const now = Date.now();
  const batch = 1_000;
  for (let first = 0; first < count; first += batch) {
    const orders: Record<string, unknown>[] = [];
    for (let i = first; i < Math.min(count, first + batch); i++) {
      const _id = new ObjectId();
      const userId = userIds[i % userIds.length]!;
      const status = finalStatus(i);
      const createdAt = new Date(now - ((count - i) / count) * 30 * 86_400_000);
      const updatedAt = new Date(createdAt.getTime() + 250 + (i % 500));
      const lines = products.slice(0, 1 + (i % 3)).map((p, n) => ({
        productId: p.id,
        sku: p.sku,
        quantity: 1 + ((i + n) % 2),
        unitPriceMinor: p.priceMinor,
      }));
      const totalMinor = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
      const reason =
        status === 'REJECTED' ? `Stock could not be reserved: ${lines[0]!.sku}: 2 requested, 0 available` : undefined;
      const history =
        status === 'CANCELLED'
          ? [
              { from: 'PENDING', to: 'CONFIRMED', at: updatedAt },
              { from: 'CONFIRMED', to: 'CANCELLED', at: updatedAt },
            ]
          : [{ from: 'PENDING', to: status, at: updatedAt }];
      orders.push({
        _id,
        userId,
        status,
        lines,
        currency: 'EUR',
        totalMinor,
        ...(reason ? { rejectionReason: reason } : {}),
        ...(status === 'CANCELLED' ? { cancelledBy: userId } : {}),
        history,
        createdAt,
        updatedAt,
        outbox: [],
      });
    }
    await db.collection('orders').insertMany(orders, { ordered: false });
  }
}
