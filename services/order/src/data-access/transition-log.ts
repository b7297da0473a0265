import type { Connection } from 'mongoose';
import type { StatusChange } from '../domain/ports';
import { isDuplicateKeyError } from './mongo-errors';
import { orderTransitionModel, type OrderTransitionDocument } from './order-transition-model';

export interface Decision {
  /** The transition out of `from` that stands: ours, or the one decided before it. */
  change: StatusChange;
  ours: boolean;
}

export interface TransitionLog {
  /** Records `change` as the order's transition out of `change.from` unless one was recorded first. */
  decide(orderId: string, change: StatusChange): Promise<Decision>;
}

function toChange(doc: OrderTransitionDocument): StatusChange {
  const set = {
    ...(doc.rejectionReason === undefined ? {} : { rejectionReason: doc.rejectionReason }),
    ...(doc.cancelledBy === undefined ? {} : { cancelledBy: doc.cancelledBy }),
  };
  return { from: doc.from, to: doc.to, set, events: doc.events };
}

export function createTransitionLog(connection: Connection): TransitionLog {
  const model = orderTransitionModel(connection);

  return {
    async decide(orderId, change) {
      try {
        const { from, to, set, events } = change;
        await model.create({ orderId, from, to, ...set, events, decidedAt: new Date() });
        return { change, ours: true };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const earlier = await model.findOne({ orderId, from: change.from }).lean<OrderTransitionDocument>();
      if (!earlier) throw new Error(`order ${orderId}: transition out of ${change.from} refused but not found`);
      return { change: toChange(earlier), ours: false };
    },
  };
}
