import type { EventType, Topic } from './topics';

/** Who writes each topic and what it is about: documentation for people and for the AsyncAPI document. */
export const topicCatalogue: { [T in Topic]: { summary: string; producer: string; key: string } } = {
  'users.v1': { summary: 'The life of a user account.', producer: 'user', key: 'user id' },
  'products.v1': { summary: 'The life of a catalogue product.', producer: 'product', key: 'product id' },
  'orders.v1': { summary: 'The life of an order.', producer: 'order', key: 'order id' },
  'inventory-reservations.v1': {
    summary: "Inventory's answer to each order: its lines reserved, or not.",
    producer: 'inventory',
    key: 'order id',
  },
};

/** What each event type says and who reads it (a consumer of a topic skips the types it does not list here). */
export const eventDocs: { [T in EventType]: { summary: string; consumers: string[] } } = {
  'user.registered': { summary: 'A new account exists.', consumers: [] },
  'product.created': { summary: 'A product was added to the catalogue.', consumers: ['inventory'] },
  'product.updated': { summary: 'A product changed; carries its current price.', consumers: [] },
  'product.deleted': {
    summary: 'A product was removed from the catalogue; its sku is no longer reserved or restocked.',
    consumers: ['inventory'],
  },
  'order.created': {
    summary: 'An order was accepted as PENDING; inventory reserves its lines.',
    consumers: ['inventory', 'gateway'],
  },
  'order.confirmed': { summary: 'Stock was reserved; the order is final.', consumers: ['inventory', 'gateway'] },
  'order.rejected': {
    summary:
      'Stock could not be reserved, or the order timed out waiting for it (reason TIMEOUT); inventory releases what it holds.',
    consumers: ['inventory', 'gateway'],
  },
  'order.cancelled': {
    summary: 'The owner or an admin cancelled the order; inventory releases its reservation.',
    consumers: ['inventory', 'gateway'],
  },
  'inventory.reserved': { summary: 'Every line of the order is reserved (all or nothing).', consumers: ['order'] },
  'inventory.rejected': { summary: 'Nothing was reserved; each failing line says why.', consumers: ['order'] },
};
