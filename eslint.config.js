// Lint: typescript-eslint's recommended rules plus the layering rule from ARCHITECTURE.md:
// the pure layers (api, render, status, identity) never import an I/O layer or an I/O library.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioLayers = ['k8s', 'runtime', 'nats', 'controllers', 'cli', 'reloader'];
const ioPackages = ['@kubernetes/client-node', '@nats-io/transport-node', 'node:fs', 'node:fs/promises', 'fs', 'node:child_process', 'node:net', 'node:http', 'node:https', 'pino', 'prom-client'];

const pureLayerRule = {
  'no-restricted-imports': [
    'error',
    {
      paths: ioPackages.map((name) => ({ name, message: 'Pure layers (api, render, status, identity) do no I/O.' })),
      patterns: [
        {
          group: ioLayers.flatMap((layer) => [`**/${layer}/*`, `../${layer}`, `../../${layer}`]),
          message: 'Pure layers (api, render, status, identity) never import an I/O layer.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cluster/', 'coverage/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests poke into rendered objects whose shapes are Kubernetes', not ours.
    files: ['**/*.test.ts', '**/*.e2e.ts', 'test/**/*.ts', 'e2e/**/*.ts', 'local-cluster/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/api/**/*.ts', 'src/render/**/*.ts', 'src/status/**/*.ts', 'src/identity/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: pureLayerRule,
  },
);
