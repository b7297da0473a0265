import type { Topic } from './topics';

/** Who writes and who reads each topic: documentation for people and for the AsyncAPI document. */
export const topicCatalogue: { [T in Topic]: { summary: string; producer: string; consumers: string[] } } = {
  'user.registered': { summary: 'A new account exists.', producer: 'user', consumers: [] },
  'product.created': {
    summary: 'A product was added to the catalogue.',
    producer: 'product',
    consumers: ['inventory'],
  },
  'product.updated': { summary: 'A product changed; carries its current price.', producer: 'product', consumers: [] },
  'product.deleted': {
    summary: 'A product was removed from the catalogue.',
    producer: 'product',
    consumers: ['inventory'],
  },
  'order.created': {
    summary: 'An order was accepted as PENDING; inventory reserves its lines.',
    producer: 'order',
    consumers: ['inventory'],
  },
  'order.confirmed': {
    summary: 'Stock was reserved; the order is final.',
    producer: 'order',
    consumers: ['inventory', 'gateway'],
  },
  'order.rejected': {
    summary:
      'Stock could not be reserved, or the order timed out waiting for it (reason TIMEOUT); inventory releases what it holds.',
    producer: 'order',
    consumers: ['inventory', 'gateway'],
  },
  'order.cancelled': {
    summary: 'The owner or an admin cancelled the order; inventory releases its reservation.',
    producer: 'order',
    consumers: ['inventory', 'gateway'],
  },
  'inventory.reserved': {
    summary: 'Every line of the order is reserved (all or nothing).',
    producer: 'inventory',
    consumers: ['order'],
  },
  'inventory.rejected': {
    summary: 'Nothing was reserved; each failing line says why.',
    producer: 'inventory',
    consumers: ['order'],
  },
};
