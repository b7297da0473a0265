/**
 * The gateway has no models of its own; its database only holds the kit's processed-events marks for the
 * `gateway` consumer group. Their unique index is what makes deduplication work, so it is built at deploy
 * time like every other index (the kit's store also ensures it at start-up, with the same name and keys).
 */
const INDEXES = [
  {
    collection: 'processed_events',
    key: { groupId: 1, eventId: 1 },
    options: { name: 'groupId_1_eventId_1', unique: true },
  },
];

module.exports = {
  async up(db) {
    for (const { collection, key, options } of INDEXES) await db.collection(collection).createIndex(key, options);
  },
  async down(db) {
    for (const { collection, options } of INDEXES) await db.collection(collection).dropIndex(options.name);
  },
};
