// The layer rules of STYLE.md, checked by dependency-cruiser in `npm run lint` (lint/layers.sh) over the sources of
// the services, the gateway and the shared packages. lint/test/layer-rules.test.ts shows each rule rejecting a
// violation (fixtures in lint/test/fixtures/) and accepting a compliant tree. Paths are relative to the folder the
// cruise runs from: the repository root, or a fixture tree laid out like it.
const path = require('node:path');

/** A deployable's source folder: `services/<name>/src/` or `gateway/src/`. */
const src = '^(services/[^/]+|gateway)/src/';
/** Packages that bring a framework, a broker client or a database driver with them. */
const frameworks = 'node_modules/(fastify|fastify-plugin|@fastify/[^/]+|kafkajs|mongoose|mongodb|ioredis)/';
/** The database: the driver, the ODM, and the kit's entry point that loads them. */
const database = ['node_modules/(mongoose|mongodb)/', '^packages/kit/src/mongoose\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cross-service',
      comment: 'No service imports another: they meet only through packages/events, HTTP contracts and the gateway.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'nothing-imports-the-gateway',
      comment: 'The gateway is a deployable like the services: nothing imports it.',
      severity: 'error',
      from: { pathNot: '^gateway/' },
      to: { path: '^gateway/' },
    },
    {
      name: 'packages-import-no-deployable',
      comment: 'The kit, events and test helpers serve the deployables; they never import one.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(services|gateway)/' },
    },
    {
      name: 'only-data-access-uses-the-database',
      comment:
        'Only src/data-access imports mongoose, mongodb or @platform/kit/mongoose; the others call a repository.',
      severity: 'error',
      from: { path: src, pathNot: `${src}data-access/` },
      to: { path: database },
    },
    {
      name: 'adapters-call-the-domain',
      comment:
        'Routes, schemas, consumers and clients go through the use cases in src/domain (routes -> domain -> ports), ' +
        'never to the repositories that implement the ports.',
      severity: 'error',
      from: { path: `${src}(routes|schemas|consumers|clients|domain)/` },
      to: { path: `${src}data-access/` },
    },
    {
      name: 'domain-is-the-core',
      comment:
        'Use cases and their ports depend on nothing outside src/domain but the error registry: no HTTP adapter, ' +
        'plugin, consumer, client, repository or wiring.',
      severity: 'error',
      from: { path: `${src}domain/` },
      to: { path: `${src}(routes|schemas|plugins|consumers|clients|data-access)/|${src}(app|server|config)\\.ts$` },
    },
    {
      name: 'domain-uses-the-light-kit',
      comment: 'The domain (and the error registry it uses) imports only @platform/kit/core, never the whole kit.',
      severity: 'error',
      from: { path: [`${src}domain/`, `${src}errors\\.ts$`] },
      to: { path: '^packages/kit/', pathNot: '^packages/kit/src/core\\.ts$' },
    },
    {
      name: 'domain-loads-no-framework',
      comment: 'Nothing the domain loads, directly or through the kit, brings fastify, kafkajs, mongoose or ioredis.',
      severity: 'error',
      from: { path: `${src}domain/` },
      to: { path: frameworks, reachable: true },
    },
    {
      name: 'kit-core-is-light',
      comment: '@platform/kit/core loads no framework: it is what a domain layer may import.',
      severity: 'error',
      from: { path: '^packages/kit/src/core\\.ts$' },
      to: { path: [frameworks, '^packages/kit/src/index\\.ts$'], reachable: true },
    },
    {
      name: 'nothing-below-imports-routes',
      comment: 'Routes are the outermost layer: plugins, clients, consumers, domain and data-access never import them.',
      severity: 'error',
      from: { path: `${src}(plugins|clients|consumers|domain|data-access|schemas)/` },
      to: { path: `${src}routes/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage|\\.local)/' },
    // Type-only imports count too: a domain that names a mongoose type depends on mongoose.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.tests.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
