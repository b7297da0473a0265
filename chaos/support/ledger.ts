import { Kafka, logLevel } from 'kafkajs';
import { MongoClient, ObjectId } from 'mongodb';
import { Topics } from '@platform/events';
import type { ChaosPlatform } from './platform';

const FINAL = new Set(['CONFIRMED', 'REJECTED', 'CANCELLED']);

export interface OrderState {
  id: string;
  status: string;
  rejectionReason?: string;
  /** When it reached its final status (from its history), epoch ms. */
  finalAt?: number;
}

export interface StockState {
  sku: string;
  available: number;
  reserved: number;
  holds: Array<{ orderId: string; quantity: number }>;
}

export interface Conservation {
  /** Units reserved beyond what confirmed orders and orders still in flight hold, plus holds of one order twice. */
  doubleReserved: number;
  /** available + reserved that differs from the initial stock (units appearing or vanishing), per sku. */
  violations: string[];
  minAvailable: number;
  minReserved: number;
}

/**
 * What the suite reads behind the platform's back to judge it: orders and stock in the services' own databases
 * (the source of truth; reading them costs the platform no requests), dead letters in Kafka.
 */
export interface Ledger {
  orders(ids: readonly string[]): Promise<Map<string, OrderState>>;
  stock(): Promise<StockState[]>;
  conservation(): Promise<Conservation>;
  /** Messages in every `<topic>.dlq` of the platform's namespace. */
  deadLetters(): Promise<number>;
  kafka: Kafka;
  close(): Promise<void>;
}

export function isFinal(status: string | undefined): boolean {
  return status !== undefined && FINAL.has(status);
}

export function createLedger(chaos: ChaosPlatform): Ledger {
  // Short timeouts: the ledger is read while the database may be down, and a failed read is retried by the caller.
  const mongo = new MongoClient(chaos.db.url, { serverSelectionTimeoutMS: 2_000, connectTimeoutMS: 2_000 });
  const orders = () => mongo.db(`${chaos.namespace}_order`).collection('orders');
  const stock = () => mongo.db(`${chaos.namespace}_inventory`).collection('stock');
  const kafka = new Kafka({
    clientId: 'chaos-ledger',
    brokers: [chaos.kafka.url],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const skus = chaos.products.map((p) => p.sku);

  async function readStock(): Promise<StockState[]> {
    const docs = await stock()
      .find({ sku: { $in: skus } })
      .toArray();
    return docs.map((d) => ({
      sku: d.sku as string,
      available: d.available as number,
      reserved: d.reserved as number,
      holds: (d.holds ?? []) as StockState['holds'],
    }));
  }

  return {
    kafka,
    async orders(ids) {
      const found = new Map<string, OrderState>();
      for (let i = 0; i < ids.length; i += 500) {
        const batch = ids.slice(i, i + 500).map((id) => new ObjectId(id));
        const docs = await orders()
          .find({ _id: { $in: batch } }, { projection: { status: 1, rejectionReason: 1, history: 1 } })
          .toArray();
        for (const doc of docs) {
          const history = (doc.history ?? []) as Array<{ to: string; at: Date }>;
          const final = history.find((h) => isFinal(h.to));
          found.set(doc._id.toHexString(), {
            id: doc._id.toHexString(),
            status: doc.status as string,
            rejectionReason: doc.rejectionReason as string | undefined,
            finalAt: final ? new Date(final.at).getTime() : undefined,
          });
        }
      }
      return found;
    },
    stock: readStock,
    async conservation() {
      const rows = await readStock();
      // Every order of the suite: units of confirmed orders stay reserved (until shipped, which never happens here).
      const docs = await orders()
        .find({}, { projection: { status: 1, lines: 1 } })
        .toArray();
      const confirmed = new Map<string, number>();
      const confirmedIds = new Set<string>();
      for (const doc of docs) {
        if (doc.status !== 'CONFIRMED') continue;
        confirmedIds.add(doc._id.toHexString());
        for (const line of doc.lines as Array<{ sku: string; quantity: number }>) {
          confirmed.set(line.sku, (confirmed.get(line.sku) ?? 0) + line.quantity);
        }
      }
      let doubleReserved = 0;
      const violations: string[] = [];
      for (const row of rows) {
        const initial = chaos.products.find((p) => p.sku === row.sku)!.initial;
        // A confirmed order's hold is committed (removed from holds) right after; until then it is in both.
        const held = row.holds.filter((h) => !confirmedIds.has(h.orderId)).reduce((sum, h) => sum + h.quantity, 0);
        const owners = row.holds.map((h) => h.orderId);
        doubleReserved += owners.length - new Set(owners).size;
        // Confirmed orders' units stay reserved (until shipped, which never happens here); holds are the rest.
        const expected = (confirmed.get(row.sku) ?? 0) + held;
        if (row.reserved > expected) doubleReserved += row.reserved - expected;
        if (row.reserved < expected) violations.push(`${row.sku}: ${row.reserved} reserved, ${expected} expected`);
        if (row.available + row.reserved !== initial) {
          violations.push(`${row.sku}: available ${row.available} + reserved ${row.reserved} != ${initial}`);
        }
      }
      return {
        doubleReserved,
        violations,
        minAvailable: Math.min(...rows.map((r) => r.available)),
        minReserved: Math.min(...rows.map((r) => r.reserved)),
      };
    },
    async deadLetters() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        let total = 0;
        for (const topic of Object.values(Topics)) {
          const dlq = `${chaos.namespace}.${topic}.dlq`;
          if (!existing.has(dlq)) continue;
          for (const partition of await admin.fetchTopicOffsets(dlq)) total += Number(partition.high);
        }
        return total;
      } finally {
        await admin.disconnect();
      }
    },
    async close() {
      await mongo.close();
    },
  };
}
