// The kit's indexes for what it keeps in this database: the products outbox's sweep index (see @platform/kit).
module.exports = require('@platform/kit/migrations').kitMigration({ outboxCollections: ['products'] });
