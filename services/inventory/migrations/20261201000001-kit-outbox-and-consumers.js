// The kit's indexes for what it keeps in this database: the reservations outbox's sweep index and the consumer's
// processed-event marks (see @platform/kit).
module.exports = require('@platform/kit/migrations').kitMigration({
  outboxCollections: ['reservations'],
  consumers: true,
});
