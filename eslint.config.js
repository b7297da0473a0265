// One lint configuration for the whole monorepo, including the layer rules of STYLE.md.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** No service, nor the gateway, may import another deployable: they meet through packages/events and HTTP. */
const noCrossServiceImports = {
  patterns: [
    {
      group: ['**/services/*/**', '@platform/*-service'],
      message: 'Services never import each other; share contracts through @platform/events.',
    },
    { group: ['**/gateway/**', '@platform/gateway'], message: 'Nothing imports the gateway.' },
  ],
};

module.exports = tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.local/**', 'coverage/**', 'charts/**', 'k6/**/*.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', noCrossServiceImports],
    },
  },
  {
    // Layers: HTTP adapters and use cases never touch the database driver; only data-access does.
    files: [
      'services/*/src/routes/**/*.ts',
      'services/*/src/schemas/**/*.ts',
      'services/*/src/domain/**/*.ts',
      'gateway/src/routes/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noCrossServiceImports,
          paths: [
            { name: 'mongoose', message: 'Only src/data-access imports mongoose; call a repository.' },
            { name: 'mongodb', message: 'Only src/data-access talks to the database.' },
          ],
        },
      ],
    },
  },
  {
    // Use cases are plain functions: no HTTP framework inside the domain.
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noCrossServiceImports,
          paths: [
            { name: 'mongoose', message: 'Only src/data-access imports mongoose; call a repository.' },
            { name: 'fastify', message: 'The domain layer does not know about HTTP.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', 'security/**/*.ts', 'chaos/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
