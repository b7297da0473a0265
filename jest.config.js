const swcOptions = { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } };

/**
 * One jest run for the whole repository. Tests talk to real Kafka, MongoDB-protocol and Redis servers,
 * which the global setup starts (or reuses) before any test file runs.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/packages',
    '<rootDir>/services',
    '<rootDir>/gateway',
    '<rootDir>/e2e',
    '<rootDir>/security',
    '<rootDir>/chaos',
    '<rootDir>/contracts',
    '<rootDir>/lint',
  ].filter((dir) => require('node:fs').existsSync(dir.replace('<rootDir>', __dirname))),
  testMatch: [
    '**/test/**/*.test.ts',
    '<rootDir>/e2e/**/*.test.ts',
    '<rootDir>/security/**/*.test.ts',
    '<rootDir>/chaos/**/*.test.ts',
  ],
  // Contract tests run on their own, consumers before providers: `npm run test:contract` (jest.contracts.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.pact\\.test\\.ts$'],
  transform: {
    '/node_modules/.+\\.m?js$': ['<rootDir>/packages/test-kit/jest/esm-transform.js', swcOptions],
    '^.+\\.m?[tj]s$': ['@swc/jest', swcOptions],
  },
  // ESM-only dependencies that CommonJS code requires (Node 24 can, jest's module system cannot without
  // --experimental-vm-modules): compile them. typebox ships .mjs files, hence the transform's `m?`.
  transformIgnorePatterns: [
    '/node_modules/(?!(cookie|content-disposition|jose|typebox|migrate-mongo|@apidevtools/json-schema-ref-parser)/)',
  ],
  moduleNameMapper: {
    // The package's CommonJS entry is a proxy that turns every export into a promise; the kit imports the ESM one.
    '^migrate-mongo$': '<rootDir>/node_modules/migrate-mongo/lib/migrate-mongo.js',
    '^@platform/kit/tracing$': '<rootDir>/packages/kit/src/tracing/register.ts',
    '^@platform/kit/migrations$': '<rootDir>/packages/kit/src/kit-migration.ts',
    '^@platform/kit/mongoose$': '<rootDir>/packages/kit/src/mongoose.ts',
    '^@platform/kit/core$': '<rootDir>/packages/kit/src/core.ts',
    '^@platform/(kit|events|test-kit|local-infra)$': '<rootDir>/packages/$1/src/index.ts',
    '^@platform/test-kit/pact$': '<rootDir>/packages/test-kit/src/pact.ts',
    '^@platform/test-kit/platform$': '<rootDir>/packages/test-kit/src/platform.ts',
  },
  globalSetup: '<rootDir>/packages/test-kit/src/global-setup.ts',
  globalTeardown: '<rootDir>/packages/test-kit/src/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
