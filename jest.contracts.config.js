const base = require('./jest.config');

/**
 * The Pact suite (`npm run test:contract`, see contracts/README.md): consumer tests write contracts/pacts/, then
 * provider verification (verify-provider.pact.test.ts) boots each provider against them. Same infrastructure and
 * transforms as the main suite.
 * @type {import('jest').Config}
 */
module.exports = {
  ...base,
  testMatch: ['**/test/contracts/**/*.pact.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
