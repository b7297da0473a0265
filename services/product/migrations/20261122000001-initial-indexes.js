// The indexes src/data-access/product-model.ts declares (autoIndex is off: they are built here, at deploy time).
const indexes = [
  { key: { sku: 1 }, options: { name: 'sku_unique', unique: true } },
  { key: { createdAt: -1, _id: -1 }, options: { name: 'createdAt_id' } },
  { key: { priceMinor: 1, _id: 1 }, options: { name: 'priceMinor_id' } },
  { key: { nameKey: 1, _id: 1 }, options: { name: 'nameKey_id' } },
  { key: { category: 1, createdAt: -1, _id: -1 }, options: { name: 'category_createdAt_id' } },
];

module.exports = {
  async up(db) {
    const products = db.collection('products');
    for (const { key, options } of indexes) await products.createIndex(key, options);
  },

  async down(db) {
    const products = db.collection('products');
    for (const { options } of indexes) await products.dropIndex(options.name);
  },
};
